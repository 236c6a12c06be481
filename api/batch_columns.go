package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"

	"alcarbon/batch"
	"alcarbon/docs"
	"alcarbon/web"
)

// Batch templates (issue 18): the columns of a kind are its request type
// flattened by package batch, with the bounds, enums, units and examples
// of the struct tags checkTags enforces and the descriptions of the
// OpenAPI document made from the same doc comments. What is written here
// is only what a type cannot say: how many slots an array gets, the
// parts a flat row leaves out, and the Chinese names.

// batchSlots is the number of slots of each array of objects.
var batchSlots = map[string]map[string]int{
	kindPrimary: {"electricity.sources": 5},
	kindProduct: {"electricity.sources": 5, "steps": 5, "transport": 3},
}

// batchSkip lists what the template leaves out, with why; JSON lines carry
// any request whole.
var batchSkip = map[string]string{
	"electricity.sources[].pv": "an on-site PV system modelled hour by hour (as POST /v1/pv) is a nested object with its own arrays; send rows that model PV as JSON lines, or give the PV source as share or mwh",
	"electricity.load":         "load shapes are 24×12 or 8760 hourly values; send rows with a load shape as JSON lines",
	"metal.primary":            "an inline primary request is a whole primary row; give metal.primary_footprint_tco2e_per_t (e.g. from a primary batch) or metal.declaration_id, or send JSON lines",
}

// batchZH names each path segment (a JSON name) in Chinese.
var batchZH = map[string]string{
	"dataset": "数据集版本", "region": "地区", "year": "年份", "electricity_basis": "电力因子口径", "gwp": "GWP 版本",
	"production_t": "年产量", "alumina": "氧化铝", "consumption_t_per_t": "单耗", "footprint_tco2e_per_t": "碳足迹",
	"refinery": "氧化铝厂", "coal_gj_per_t": "煤耗", "natural_gas_nm3_per_t": "天然气耗", "electricity_kwh_per_t": "电耗",
	"upstream_tco2e_per_t": "上游排放", "anode": "阳极", "net_carbon_t_per_t": "净碳耗", "sulphur_fraction": "硫分",
	"ash_fraction": "灰分", "production_tco2e_per_t": "生产碳足迹", "baking_energy_kgce_per_t": "焙烧能耗",
	"baking_fuel": "焙烧燃料", "produced_on_site": "厂内焙烧", "electrolysis": "电解", "technology": "技术",
	"pfc": "全氟化碳", "method": "方法", "coefficients": "系数", "anode_effect_minutes_per_cell_day": "阳极效应时间",
	"anode_effect_overvoltage_mv": "阳极效应过电压", "current_efficiency": "电流效率", "cf4_kg_per_t": "CF4 排放量",
	"c2f6_kg_per_t": "C2F6 排放量", "slope_coefficient": "斜率系数", "c2f6_fraction": "C2F6/CF4 比例",
	"casting": "铸造", "molten": "铝水直供", "electricity": "电力", "sources": "电源", "kind": "类型", "name": "名称",
	"share": "比例", "mwh": "电量", "fuel": "燃料", "ef_tco2_per_mwh": "排放因子", "coal_gce_per_kwh": "供电煤耗",
	"certificates_mwh": "绿证", "residual_mix": "剩余组合", "residual_ef_tco2_per_mwh": "剩余排放因子",
	"product": "产品", "alloy": "合金", "metal": "金属", "primary_footprint_tco2e_per_t": "原铝碳足迹",
	"declaration_id": "声明编号", "post_consumer_scrap_share": "消费后废铝比例", "pre_consumer_scrap_share": "消费前废铝比例",
	"post_consumer_scrap_tco2e_per_t": "消费后废铝碳足迹", "pre_consumer_scrap_tco2e_per_t": "消费前废铝碳足迹",
	"yield": "成材率", "melt_loss_fraction": "熔损率", "steps": "工序", "step": "工序名", "omit": "省略",
	"direct_supply": "铝水直供", "molten_share": "铝水比例", "haul_km": "铝水运距", "ingot_transport_km": "铝锭运距",
	"ingot_transport_mode": "铝锭运输方式", "transport": "运输", "mode": "方式", "km": "距离",
	"ac_kwh_per_t": "铝液综合交流电耗", "liquid_ac_kwh_per_t": "铝液交流电耗",
}

// batchGlossaryHeaders are the columns whose Chinese name is a term of
// the web page's glossary (web/static/glossary.json), by its key: the
// template words them as the page does.
var batchGlossaryHeaders = map[string]string{
	"electrolysis.ac_kwh_per_t":        "acPower",
	"electrolysis.liquid_ac_kwh_per_t": "liquidAC",
	"electricity.certificates_mwh":     "certs",
}

// batchTables are the column tables of the batch kinds, built once.
var batchTables = sync.OnceValues(func() (map[string]*batch.Table, error) {
	describe, err := openAPIDescriptions(docs.OpenAPI)
	if err != nil {
		return nil, err
	}
	terms, err := glossary()
	if err != nil {
		return nil, err
	}
	unitZH := map[string]string{}
	for k, t := range terms {
		if len(k) > 2 && k[:2] == "u_" {
			unitZH[t.EN] = t.ZH
		}
	}
	out := map[string]*batch.Table{}
	for _, kind := range []string{kindPrimary, kindProduct} {
		zhPath := map[string]string{}
		for path, key := range batchGlossaryHeaders {
			t, ok := terms[key]
			if !ok {
				return nil, fmt.Errorf("batch: glossary has no term %q", key)
			}
			zhPath[path] = t.ZH
		}
		cols, err := batch.Columns(calcKinds[kind].reqType, batch.Schema{
			Slots: batchSlots[kind], Skip: batchSkip, Describe: describe, ZH: batchZH, ZHPath: zhPath, UnitZH: unitZH,
		})
		if err != nil {
			return nil, err
		}
		if out[kind], err = batch.NewTable(cols); err != nil {
			return nil, err
		}
	}
	return out, nil
})

// openAPIDescriptions returns a lookup of the descriptions of the request
// types' fields in an OpenAPI 3.1 document (components.schemas["api.T"]).
func openAPIDescriptions(doc []byte) (func(reflect.Type, string) string, error) {
	var d struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("batch: the OpenAPI document: %w", err)
	}
	return func(owner reflect.Type, field string) string {
		return d.Components.Schemas["api."+owner.Name()].Properties[field].Description
	}, nil
}

// glossaryTerm is one term of the web page's glossary.
type glossaryTerm struct {
	EN string `json:"en"`
	ZH string `json:"zh"`
}

// glossary reads the web page's glossary as the page does, from the
// embedded files web serves, by key.
func glossary() (map[string]glossaryTerm, error) {
	rec := httptest.NewRecorder()
	web.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/glossary.json", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("batch: glossary.json: status %d", rec.Code)
	}
	var g struct {
		Terms []struct {
			Key string `json:"key"`
			glossaryTerm
		} `json:"terms"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &g); err != nil {
		return nil, fmt.Errorf("batch: glossary.json: %w", err)
	}
	out := make(map[string]glossaryTerm, len(g.Terms))
	for _, t := range g.Terms {
		out[t.Key] = t.glossaryTerm
	}
	return out, nil
}
