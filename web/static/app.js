// alcarbon web page: plain JavaScript over the public API (/v1). No inline
// handlers, no HTML built from strings: every value reaches the page through
// textContent or an attribute, so the page runs under a strict CSP.
"use strict";

(function () {
  // ---- i18n -------------------------------------------------------------
  const dict = {
    en: {
      skip: "Skip to content", tagline: "Carbon footprints of aluminium, with every factor's source",
      nav: "Sections", navPlant: "Plant footprint", navScen: "PV scenarios", navBuyers: "Buyers", language: "Language",
      smelter: "Smelter", region: "Region", year: "Year", basis: "Electricity basis", basisLife: "lifecycle",
      basisOp: "CO2 operational", production: "Production [t/yr]", acPower: "AC power [kWh/t]", pfcMethod: "PFC method", cellTech: "Cell technology",
      aem: "Anode effect [min/cell·day]", portfolio: "Electricity supply portfolio",
      portfolioHint: "Fixed volumes (MWh) are met first; shares split the rest and must sum to 1. On-site PV: amount in MWp, column 4 is the site.",
      kind: "Kind", amount: "Amount", amountUnit: "Unit", fuelTech: "Fuel / technology / site", ef: "EF [tCO2/MWh]",
      remove: "Remove", removeRow: "Remove row", addSource: "Add source", certs: "Certificates [MWh]", compute: "Compute footprint",
      preset: "Shanxi preset", copyCurl: "Copy as curl", locTotal: "Location-based", mktTotal: "Market-based",
      grade: "GB 21346 AC grade", byStage: "By stage", renShares: "Renewable shares", provenance: "Provenance",
      value: "Value", unit: "Unit", source: "Source", confidence: "Confidence", warnings: "Warnings",
      scenHint: "The base is the plant form above; each variant adds on-site PV to its portfolio (up to 10).",
      discount: "Discount rate", lifetime: "Lifetime [years]", name: "Name", pvMWp: "PV [MWp]", site: "Site", tilt: "Tilt [°]",
      capex: "Capex [CNY]", opex: "Opex [CNY/yr]", addVariant: "Add variant", compare: "Compare",
      renAnnual: "Renewable (annual, market)", renHourly: "Renewable (hourly-matched)", pvEnergy: "PV energy [MWh/yr]",
      mac: "Cost [CNY/t CO2e avoided]", footprintChart: "Footprint by variant [t CO2e/t]",
      maccChart: "MACC: cost per t CO2e avoided (width = t avoided per year)", product: "Product", company: "Company",
      period: "Period", open: "Open", search: "Search", verify: "Verify", footer: "Every number is an answer of the public API.",
      computing: "Computing…", done: "Done", copied: "Copied", copyFailed: "Copy failed: select the command below",
      noResults: "No declarations found", found: "found", loading: "Loading…",
      shareLoc: "location-based", shareMkt: "market-based", shareHourly: "hourly-matched", na: "n/a",
      seeDirect: "Direct (SEE)", seeIndirect: "Indirect (SEE)", obligation: "Obligation", cbamDefault: "Commission default",
      cnCode: "CN code", ndrc: "NDRC level", version: "Version", status: "Status", hash: "Content hash", dataset: "Dataset",
      reproduced: "Reproduced", hashValid: "Stored hash valid", matches: "Result matches", stored: "Stored total",
      recomputed: "Recomputed total", notes: "Notes", yes: "yes", no: "no", tooMany: "At most 10 variants",
      maxVariants: "variant", base: "base", errorsIn: "Problems",
      k_grid: "grid", k_captive: "captive plant", k_onsite_pv: "on-site PV", k_direct_line: "direct line", k_green_contract: "green contract",
      s_alumina_refining: "alumina refining", s_anode_production: "anode production", s_electrolysis_direct: "electrolysis (direct)",
      s_electrolysis_electricity: "electrolysis (electricity)", s_casting: "casting"
    },
    zh: {
      skip: "跳到正文", tagline: "铝的碳足迹，每个因子都有来源", nav: "栏目", navPlant: "工厂碳足迹", navScen: "光伏情景",
      navBuyers: "采购方", language: "语言", smelter: "电解铝厂", region: "地区", year: "年份", basis: "电力因子口径",
      basisLife: "全生命周期", basisOp: "运行CO2", production: "产量 [t/年]", acPower: "交流电耗 [kWh/t]", pfcMethod: "PFC 方法", cellTech: "电解槽技术",
      aem: "阳极效应 [分钟/槽·日]", portfolio: "供电结构",
      portfolioHint: "固定电量 (MWh) 先满足；比例分配其余电量，合计须为 1。厂内光伏：数量为 MWp，第 4 列为站点。",
      kind: "类型", amount: "数量", amountUnit: "单位", fuelTech: "燃料 / 技术 / 站点", ef: "排放因子 [tCO2/MWh]", remove: "删除",
      removeRow: "删除此行", addSource: "添加电源", certs: "绿证 [MWh]", compute: "计算碳足迹", preset: "山西预设", copyCurl: "复制为 curl",
      locTotal: "基于位置", mktTotal: "基于市场", grade: "GB 21346 交流电耗等级", byStage: "分阶段", renShares: "可再生电力比例",
      provenance: "数据来源", value: "数值", unit: "单位", source: "来源", confidence: "可信度", warnings: "警告",
      scenHint: "基准为上方工厂表单；每个方案在供电结构中加入厂内光伏（最多 10 个）。", discount: "折现率", lifetime: "寿命 [年]",
      name: "名称", pvMWp: "光伏 [MWp]", site: "站点", tilt: "倾角 [°]", capex: "投资 [元]", opex: "运维 [元/年]",
      addVariant: "添加方案", compare: "比较", renAnnual: "可再生比例（年度，市场）", renHourly: "可再生比例（逐时匹配）",
      pvEnergy: "光伏发电量 [MWh/年]", mac: "减排成本 [元/t CO2e]", footprintChart: "各方案碳足迹 [t CO2e/t]",
      maccChart: "边际减排成本曲线（宽度 = 年减排量）", product: "产品", company: "企业", period: "报告期", open: "打开",
      search: "搜索", verify: "核验", footer: "页面上的每个数字都来自公开 API。", computing: "计算中…", done: "完成",
      copied: "已复制", copyFailed: "复制失败：请手动选择下方命令", noResults: "未找到声明", found: "条", loading: "加载中…",
      shareLoc: "基于位置", shareMkt: "基于市场", shareHourly: "逐时匹配", na: "无", seeDirect: "直接排放 (SEE)",
      seeIndirect: "间接排放 (SEE)", obligation: "履约排放", cbamDefault: "欧盟默认值", cnCode: "CN 编码", ndrc: "发改委能效水平",
      version: "版本", status: "状态", hash: "内容哈希", dataset: "数据集", reproduced: "可复现", hashValid: "存储哈希有效",
      matches: "结果一致", stored: "存储总量", recomputed: "重算总量", notes: "说明", yes: "是", no: "否", tooMany: "最多 10 个方案",
      maxVariants: "方案", base: "基准", errorsIn: "问题",
      k_grid: "电网", k_captive: "自备电厂", k_onsite_pv: "厂内光伏", k_direct_line: "直供线路", k_green_contract: "绿电交易",
      s_alumina_refining: "氧化铝精炼", s_anode_production: "阳极生产", s_electrolysis_direct: "电解（直接）",
      s_electrolysis_electricity: "电解（电力）", s_casting: "铸造"
    }
  };
  let lang = "en";
  const t = (k) => (dict[lang] && dict[lang][k]) || dict.en[k] || k;

  function applyLang() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-attr]").forEach((n) => {
      const [attr, key] = n.dataset.i18nAttr.split(":");
      n.setAttribute(attr, t(key));
    });
    document.querySelectorAll("select.kind").forEach((s) => {
      Array.from(s.options).forEach((o) => { o.textContent = t("k_" + o.value); });
    });
    document.querySelectorAll("button.rm").forEach((b) => b.setAttribute("aria-label", t("removeRow")));
    if (lastPlant) renderPlant(lastPlant);
    if (lastScen) renderScenarios(lastScen);
  }

  // ---- helpers ----------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") n.textContent = v; else n.setAttribute(k, v === true ? "" : v);
    }
    for (const k of kids) if (k !== null && k !== undefined) n.append(k);
    return n;
  }
  const svgNS = "http://www.w3.org/2000/svg";
  function sv(tag, attrs, text) {
    const n = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function fmt(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return t("na");
    return Number(x).toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: digits === undefined ? 4 : digits });
  }
  const pct = (x) => (x === null || x === undefined ? t("na") : fmt(x * 100, 1) + " %");
  const num = (v) => (v === "" || v === null || v === undefined ? undefined : Number(v));
  function kvRows(tbody, rows) {
    tbody.replaceChildren(...rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: v }))));
  }
  function setStatus(id, text, isError) {
    const s = $(id);
    s.textContent = text;
    s.classList.toggle("error", !!isError);
  }
  // apiFetch returns the parsed JSON or throws an Error whose message holds
  // the problem's detail and each field error (RFC 9457).
  async function apiFetch(path, body) {
    const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const res = await fetch(path, opts);
    const text = await res.text();
    let data = null;
    try { data = JSON.parse(text); } catch (_) { /* not JSON */ }
    if (!res.ok) {
      const parts = [res.status + " " + ((data && (data.detail || data.title)) || text)];
      if (data && Array.isArray(data.errors)) data.errors.forEach((e) => parts.push((e.pointer || "") + ": " + e.detail));
      throw new Error(parts.join("\n"));
    }
    return data;
  }
  function curlFor(path, body) {
    const json = JSON.stringify(body).replace(/'/g, "'\\''");
    return "curl -s " + location.origin + path + " -H 'Content-Type: application/json' -d '" + json + "'";
  }
  async function copyText(text, statusId) {
    try {
      await navigator.clipboard.writeText(text);
      setStatus(statusId, t("copied"));
    } catch (_) {
      setStatus(statusId, t("copyFailed"), true);
    }
    let pre = $(statusId + "-curl");
    if (!pre) {
      pre = el("pre", { id: statusId + "-curl", class: "curl", tabindex: "0" });
      $(statusId).closest("form").append(pre);
    }
    pre.textContent = text;
  }

  // ---- plant form -------------------------------------------------------
  const KINDS = ["grid", "captive", "onsite_pv", "direct_line", "green_contract"];
  const TECHS = ["", "coal", "gas", "hydro", "nuclear", "wind", "solar", "csp", "biomass"];
  let sites = []; // from GET /v1/solar-sites, usable ones only

  function techOptions(kind) {
    if (kind === "captive") return ["coal", "gas"].map((v) => [v, v]);
    if (kind === "onsite_pv") return (sites.length ? sites : [{ id: "taiyuan", name_en: "Taiyuan", name_zh: "太原" }])
      .map((s) => [s.id, lang === "zh" ? s.name_zh : s.name_en]);
    if (kind === "grid") return [["", "—"]];
    return TECHS.map((v) => [v, v || "—"]);
  }
  function fillSelect(sel, pairs, value) {
    sel.replaceChildren(...pairs.map(([v, label]) => el("option", { value: v, text: label })));
    if (value !== undefined && pairs.some(([v]) => v === value)) sel.value = value;
  }
  let rowSeq = 0;
  function addSourceRow(src) {
    src = src || { kind: "grid", unit: "share", amount: "" };
    const n = ++rowSeq;
    const kind = el("select", { class: "kind", "aria-label": t("kind") + " " + n });
    KINDS.forEach((k) => kind.append(el("option", { value: k, text: t("k_" + k) })));
    kind.value = src.kind;
    const amount = el("input", { class: "amount", type: "number", min: "0", step: "any", "aria-label": t("amount") + " " + n, value: src.amount ?? "" });
    const unit = el("select", { class: "unit", "aria-label": t("amountUnit") + " " + n });
    const tech = el("select", { class: "tech", "aria-label": t("fuelTech") + " " + n });
    const ef = el("input", { class: "ef", type: "number", min: "0", max: "2", step: "any", "aria-label": t("ef") + " " + n, value: src.ef ?? "" });
    const rm = el("button", { type: "button", class: "rm", "aria-label": t("removeRow") }, "×");
    const sync = (first) => {
      const k = kind.value;
      fillSelect(unit, k === "onsite_pv" ? [["mwp", "MWp"]] : [["share", "share"], ["mwh", "MWh"]], first ? src.unit : unit.value);
      fillSelect(tech, techOptions(k), first ? src.tech : tech.value);
      ef.disabled = k === "onsite_pv";
    };
    sync(true);
    kind.addEventListener("change", () => { sync(false); saveHash(); });
    rm.addEventListener("click", () => { tr.remove(); saveHash(); $("add-source").focus(); });
    const tr = el("tr", {}, el("td", {}, kind), el("td", {}, amount), el("td", {}, unit), el("td", {}, tech), el("td", {}, ef), el("td", {}, rm));
    $("sources").append(tr);
    return tr;
  }
  function readSources() {
    return Array.from($("sources").rows).map((tr) => ({
      kind: tr.querySelector(".kind").value, amount: tr.querySelector(".amount").value,
      unit: tr.querySelector(".unit").value, tech: tr.querySelector(".tech").value, ef: tr.querySelector(".ef").value
    }));
  }
  function readPlant() {
    return {
      region: $("p-region").value.trim(), year: $("p-year").value, basis: $("p-basis").value, production_t: $("p-prod").value,
      ac: $("p-ac").value, tech: $("p-tech").value, pfc: $("p-pfc").value, aem: $("p-aem").value, certs: $("p-certs").value, sources: readSources()
    };
  }
  function writePlant(s) {
    $("p-region").value = s.region ?? "";
    $("p-year").value = s.year ?? "";
    $("p-basis").value = s.basis || "lifecycle";
    $("p-prod").value = s.production_t ?? "";
    $("p-ac").value = s.ac ?? "";
    $("p-tech").value = s.tech ?? "";
    $("p-pfc").value = s.pfc ?? "";
    $("p-aem").value = s.aem ?? "";
    $("p-certs").value = s.certs ?? "";
    $("sources").replaceChildren();
    (s.sources || []).forEach(addSourceRow);
  }
  // sourceRequest turns one editor row into the API's source object.
  function sourceRequest(r) {
    const out = { kind: r.kind };
    if (r.kind === "onsite_pv") {
      out.pv = { site: r.tech || "taiyuan", system: { capacity_kwp: (num(r.amount) || 0) * 1000 } };
      return out;
    }
    if (r.amount !== "") out[r.unit === "mwh" ? "mwh" : "share"] = num(r.amount);
    if (r.tech) out[r.kind === "captive" ? "fuel" : "technology"] = r.tech;
    if (r.ef !== "") out.ef_tco2_per_mwh = num(r.ef);
    return out;
  }
  // plantRequest builds the body of POST /v1/footprints/primary; empty
  // fields are left out so the API's defaults apply (and are listed).
  function plantRequest(s) {
    const req = {};
    if (s.region) req.region = s.region;
    if (s.year !== "") req.year = num(s.year);
    if (s.basis) req.electricity_basis = s.basis;
    if (s.production_t !== "") req.production_t = num(s.production_t);
    const lysis = {};
    if (s.tech) lysis.technology = s.tech;
    if (s.ac !== "") lysis.ac_kwh_per_t = num(s.ac);
    const pfc = {};
    if (s.pfc) pfc.method = s.pfc;
    if (s.aem !== "") pfc.anode_effect_minutes_per_cell_day = num(s.aem);
    if (Object.keys(pfc).length) lysis.pfc = pfc;
    if (Object.keys(lysis).length) req.electrolysis = lysis;
    const elec = {};
    if (s.sources.length) elec.sources = s.sources.map(sourceRequest);
    if (s.certs !== "") elec.certificates_mwh = num(s.certs);
    if (Object.keys(elec).length) req.electricity = elec;
    return req;
  }
  const SHANXI = {
    region: "CN-SX", year: "2023", basis: "co2_operational", production_t: "300000", ac: "13200", tech: "PFPB_M", pfc: "slope", aem: "0.05",
    certs: "100000",
    sources: [
      { kind: "captive", unit: "share", amount: "0.6", tech: "coal", ef: "" },
      { kind: "grid", unit: "share", amount: "0.4", tech: "", ef: "" },
      { kind: "direct_line", unit: "mwh", amount: "400000", tech: "wind", ef: "" }
    ]
  };

  // ---- shareable URL: the plant inputs as #s=<base64url JSON> ------------
  function encodeState(obj) {
    const bytes = new TextEncoder().encode(JSON.stringify(obj));
    let bin = "";
    bytes.forEach((b) => { bin += String.fromCharCode(b); });
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decodeState(str) {
    const bin = atob(str.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  }
  function saveHash() {
    history.replaceState(null, "", "#s=" + encodeState(readPlant()));
  }
  function loadHash() {
    const m = /^#s=([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (!m) return false;
    try { writePlant(decodeState(m[1])); return true; } catch (_) { return false; }
  }

  // ---- plant results ------------------------------------------------------
  let lastPlant = null;
  const STAGE_COLORS = { alumina_refining: "#8c6d31", anode_production: "#555", electrolysis_direct: "#c0392b",
    electrolysis_electricity: "#1f6fb2", casting: "#2e8b57" };

  async function computePlant() {
    const body = plantRequest(readPlant());
    saveHash();
    setStatus("plant-status", t("computing"));
    try {
      const res = await apiFetch("/v1/footprints/primary", body);
      lastPlant = res;
      renderPlant(res);
      setStatus("plant-status", t("done"));
    } catch (e) {
      setStatus("plant-status", e.message, true);
    }
  }
  function renderPlant(r) {
    $("plant-out").hidden = false;
    $("o-loc").textContent = fmt(r.total_tco2e_per_t.location_based, 3);
    $("o-mkt").textContent = fmt(r.total_tco2e_per_t.market_based, 3);
    $("o-grade").textContent = r.ratings ? String(r.ratings.gb21346_ac_grade) : t("na");
    $("o-ndrc").textContent = r.ratings ? t("ndrc") + ": " + r.ratings.ndrc_level + " · " + fmt(r.ratings.ac_kwh_per_t, 0) + " kWh/t" : "";
    const w = (r.provenance && r.provenance.warnings) || [];
    $("warnings").replaceChildren(...(w.length ? [el("h3", { text: t("warnings") + " (" + w.length + ")" }),
      el("ul", {}, ...w.map((x) => el("li", { text: x })))] : []));
    stageChart($("stage-chart"), $("stage-legend"), r.stages);
    const rs = (r.electricity && r.electricity.renewable_share) || {};
    kvRows($("o-shares"), [[t("shareLoc"), pct(rs.location_based)], [t("shareMkt"), pct(rs.market_based)],
      [t("shareHourly"), pct(rs.hourly_matched)]]);
    const c = r.cbam || {};
    kvRows($("o-cbam"), [[t("cnCode"), c.cn_code || t("na")], [t("seeDirect"), fmt(c.see_direct_tco2e_per_t) + " t CO2e/t"],
      [t("seeIndirect"), fmt(c.see_indirect_tco2e_per_t) + " t CO2e/t"], [t("obligation"), fmt(c.obligation_tco2e_per_t) + " t CO2e/t"],
      [t("cbamDefault"), fmt(c.default_value_tco2e_per_t) + " t CO2e/t"]]);
    const f = (r.provenance && r.provenance.factors) || [];
    $("o-prov").replaceChildren(...f.map((x) => el("tr", {}, el("td", { class: "id", text: x.id }), el("td", { class: "n", text: fmt(x.value, 6) }),
      el("td", { text: x.unit }), el("td", { text: x.source }), el("td", { text: x.confidence }))));
  }
  // stageChart draws two horizontal stacked bars (location- and market-based)
  // split by stage, as SVG with a text legend.
  function stageChart(box, legend, stages) {
    const W = Math.max(280, box.clientWidth || 600), H = 120, left = 110, right = 20, barH = 30;
    const totals = [0, 0];
    stages.forEach((s) => { totals[0] += Math.max(0, s.tco2e_per_t); totals[1] += Math.max(0, s.market_based_tco2e_per_t); });
    const max = Math.max(totals[0], totals[1]) || 1;
    const sx = (v) => (v / max) * (W - left - right);
    const svg = sv("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", class: "stage-svg",
      "aria-label": t("byStage") + ": " + t("locTotal") + " " + fmt(totals[0], 3) + ", " + t("mktTotal") + " " + fmt(totals[1], 3) + " t CO2e/t" });
    [["tco2e_per_t", t("locTotal")], ["market_based_tco2e_per_t", t("mktTotal")]].forEach(([key, label], i) => {
      const y = 15 + i * (barH + 20);
      svg.append(sv("text", { x: 0, y: y + barH / 2 + 4, class: "lbl" }, label));
      let x = left;
      stages.forEach((s) => {
        const v = Math.max(0, s[key]);
        const rect = sv("rect", { x: x, y: y, width: sx(v), height: barH, fill: STAGE_COLORS[s.stage] || "#999", "data-series": s.stage });
        rect.append(sv("title", {}, t("s_" + s.stage) + ": " + fmt(s[key], 4) + " t CO2e/t"));
        svg.append(rect);
        x += sx(v);
      });
      svg.append(sv("text", { x: Math.min(x + 4, W - 40), y: y + barH / 2 + 4, class: "lbl" }, fmt(i === 0 ? totals[0] : totals[1], 2)));
    });
    box.replaceChildren(svg);
    legend.replaceChildren(...stages.map((s) => el("span", { class: "key key-" + s.stage },
      t("s_" + s.stage) + " " + fmt(s.tco2e_per_t, 3) + " / " + fmt(s.market_based_tco2e_per_t, 3))));
  }

  // ---- scenarios ----------------------------------------------------------
  let lastScen = null;
  let scenChart = null;
  function addVariantRow(v) {
    const tb = $("variants");
    if (tb.rows.length >= 10) { setStatus("scen-status", t("tooMany"), true); return; }
    v = v || { name: "PV " + (tb.rows.length + 1) * 100 + " MWp", mwp: String((tb.rows.length + 1) * 100), site: "taiyuan", tilt: "35",
      capex: String((tb.rows.length + 1) * 350000000), opex: String((tb.rows.length + 1) * 5000000) };
    const n = tb.rows.length + 1;
    const inp = (cls, type, val, label, extra) => el("input", Object.assign({ class: cls, type: type, value: val, "aria-label": label + " " + n }, extra || {}));
    const site = el("select", { class: "site", "aria-label": t("site") + " " + n });
    fillSelect(site, techOptions("onsite_pv"), v.site);
    const rm = el("button", { type: "button", class: "rm", "aria-label": t("removeRow") }, "×");
    const tr = el("tr", {},
      el("td", {}, inp("name", "text", v.name, t("name"))),
      el("td", {}, inp("mwp", "number", v.mwp, t("pvMWp"), { min: "0", step: "any" })),
      el("td", {}, site),
      el("td", {}, inp("tilt", "number", v.tilt, t("tilt"), { min: "0", max: "90", step: "any" })),
      el("td", {}, inp("capex", "number", v.capex, t("capex"), { min: "0", step: "any" })),
      el("td", {}, inp("opex", "number", v.opex, t("opex"), { step: "any" })),
      el("td", {}, rm));
    rm.addEventListener("click", () => { tr.remove(); $("add-variant").disabled = false; $("add-variant").focus(); });
    tb.append(tr);
    $("add-variant").disabled = tb.rows.length >= 10;
  }
  // scenarioRequest: base = the plant request; each variant's merge patch
  // replaces the source list (RFC 7386 replaces arrays) with PV + the base's.
  function scenarioRequest() {
    const plant = readPlant();
    const base = plantRequest(plant);
    const baseSources = (base.electricity && base.electricity.sources) || [];
    const life = num($("s-life").value);
    const variants = Array.from($("variants").rows).map((tr) => {
      const q = (c) => tr.querySelector("." + c).value;
      const pv = { kind: "onsite_pv", name: q("name"), pv: { site: q("site"), system: { capacity_kwp: (num(q("mwp")) || 0) * 1000 } } };
      if (q("tilt") !== "") pv.pv.system.tilt_deg = num(q("tilt"));
      const v = { name: q("name"), patch: { electricity: { sources: [pv].concat(baseSources.filter((s) => s.kind !== "onsite_pv")) } } };
      if (q("capex") !== "") v.capex_cny = num(q("capex"));
      if (q("opex") !== "") v.opex_cny_per_year = num(q("opex"));
      if (life !== undefined) v.lifetime_years = life;
      return v;
    });
    const req = { kind: "primary", base: base, variants: variants };
    if ($("s-rate").value !== "") req.discount_rate = num($("s-rate").value);
    return req;
  }
  async function computeScenarios() {
    setStatus("scen-status", t("computing"));
    try {
      lastScen = await apiFetch("/v1/scenarios/compare", scenarioRequest());
      renderScenarios(lastScen);
      setStatus("scen-status", t("done"));
    } catch (e) {
      setStatus("scen-status", e.message, true);
    }
  }
  function renderScenarios(r) {
    $("scen-out").hidden = false;
    $("scen-rows").replaceChildren(...r.scenarios.map((s) => {
      const o = s.outputs || {};
      const name = s.name === "base" ? t("base") : s.name;
      const row = el("tr", {}, el("th", { scope: "row", text: name }),
        el("td", { class: "n", text: fmt(o.total_location_based_tco2e_per_t, 3) }), el("td", { class: "n", text: fmt(o.total_market_based_tco2e_per_t, 3) }),
        el("td", { class: "n", text: pct(o.renewable_share_market_based) }), el("td", { class: "n", text: pct(o.renewable_share_hourly_matched) }),
        el("td", { class: "n", text: o.pv_annual_mwh === undefined ? "—" : fmt(o.pv_annual_mwh, 0) }),
        el("td", { class: "n", text: s.abatement && s.abatement.cost_cny_per_tco2e !== null ? fmt(s.abatement.cost_cny_per_tco2e, 1) : "—" }));
      if (s.errors && s.errors.length) {
        row.classList.add("error");
        row.cells[1].textContent = t("errorsIn") + ": " + s.errors.map((e) => e.pointer + " " + e.detail).join("; ");
      }
      return row;
    }));
    drawScenChart(r);
    drawMACC($("macc-chart"), r.macc || []);
  }
  // drawScenChart plots location- and market-based footprints per scenario
  // as grouped bars with uPlot.
  function drawScenChart(r) {
    const box = $("scen-chart");
    const rows = r.scenarios.filter((s) => s.outputs);
    const names = rows.map((s) => (s.name === "base" ? t("base") : s.name));
    const xs = rows.map((_, i) => i);
    const loc = rows.map((s) => s.outputs.total_location_based_tco2e_per_t ?? null);
    const mkt = rows.map((s) => s.outputs.total_market_based_tco2e_per_t ?? null);
    if (scenChart) { scenChart.destroy(); scenChart = null; }
    box.replaceChildren();
    if (typeof uPlot === "undefined" || !rows.length) return;
    const bars = (align) => uPlot.paths.bars({ size: [0.35, 60], align: align });
    const top = Math.max(...loc, ...mkt, 1) * 1.1;
    scenChart = new uPlot({
      width: Math.max(280, box.clientWidth || 500), height: 260,
      scales: { x: { time: false, range: [-0.6, rows.length - 0.4] }, y: { range: [0, top] } },
      axes: [{ splits: () => xs, values: (u, splits) => splits.map((i) => names[i] || ""), grid: { show: false } },
        { label: "t CO2e/t" }],
      series: [{ label: t("name"), value: (u, i) => (i === null ? "" : names[i] || "") },
        { label: t("locTotal"), fill: "#1f6fb2", stroke: "#1f6fb2", paths: bars(-1), points: { show: false } },
        { label: t("mktTotal"), fill: "#2e8b57", stroke: "#2e8b57", paths: bars(1), points: { show: false } }]
    }, [xs, loc, mkt], box);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", t("footprintChart") + ": " + names.map((n, i) => n + " " + fmt(loc[i], 2) + " / " + fmt(mkt[i], 2)).join("; "));
  }
  // drawMACC draws the marginal abatement cost curve: one bar per variant in
  // rank order, width = t CO2e avoided per year, height = CNY per t.
  function drawMACC(box, macc) {
    const W = Math.max(280, box.clientWidth || 500), H = 260, l = 60, r = 10, tp = 10, b = 40;
    const svg = sv("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", class: "macc-svg",
      "aria-label": t("maccChart") + ": " + macc.map((m) => m.name + " " + fmt(m.cost_cny_per_tco2e, 1) + " CNY/t").join("; ") });
    if (!macc.length) { box.replaceChildren(svg); return; }
    const totalX = macc[macc.length - 1].cumulative_avoided_tco2e_per_year || 1;
    const ys = macc.map((m) => m.cost_cny_per_tco2e);
    const ymax = Math.max(0, ...ys), ymin = Math.min(0, ...ys), span = (ymax - ymin) || 1;
    const X = (v) => l + (v / totalX) * (W - l - r);
    const Y = (v) => tp + ((ymax - v) / span) * (H - tp - b);
    svg.append(sv("line", { x1: l, x2: W - r, y1: Y(0), y2: Y(0), class: "axis" }));
    svg.append(sv("line", { x1: l, x2: l, y1: tp, y2: H - b, class: "axis" }));
    svg.append(sv("text", { x: 2, y: tp + 10, class: "lbl" }, fmt(ymax, 0)));
    if (ymin < 0) svg.append(sv("text", { x: 2, y: H - b, class: "lbl" }, fmt(ymin, 0)));
    svg.append(sv("text", { x: W - r, y: H - 8, class: "lbl", "text-anchor": "end" }, fmt(totalX, 0) + " t CO2e/yr"));
    const palette = ["#1f6fb2", "#2e8b57", "#c0392b", "#8c6d31", "#6a3d9a", "#e67e22", "#16a085", "#7f8c8d", "#d35400", "#2c3e50"];
    macc.forEach((m, i) => {
      const x0 = X(m.cumulative_avoided_tco2e_per_year - m.avoided_tco2e_per_year), x1 = X(m.cumulative_avoided_tco2e_per_year);
      const y = Y(Math.max(0, m.cost_cny_per_tco2e)), h = Math.abs(Y(m.cost_cny_per_tco2e) - Y(0));
      const rect = sv("rect", { x: x0, y: y, width: Math.max(1, x1 - x0 - 1), height: Math.max(1, h), fill: palette[i % palette.length], "data-series": m.name });
      rect.append(sv("title", {}, m.rank + ". " + m.name + ": " + fmt(m.cost_cny_per_tco2e, 1) + " CNY/t CO2e, " + fmt(m.avoided_tco2e_per_year, 0) + " t/yr"));
      svg.append(rect);
      svg.append(sv("text", { x: (x0 + x1) / 2, y: H - b + 14, class: "lbl", "text-anchor": "middle" }, String(m.rank)));
    });
    box.replaceChildren(svg);
    box.append(el("ol", { class: "legend" }, ...macc.map((m) => el("li", { text: m.name + " — " + fmt(m.cost_cny_per_tco2e, 1) + " CNY/t" }))));
  }
  async function loadSites() {
    try {
      const r = await apiFetch("/v1/solar-sites");
      sites = r.sites.filter((s) => s.annual_ghi_kwh_m2 !== null && s.annual_ghi_kwh_m2 !== undefined);
      const regions = new Set(r.sites.map((s) => s.province));
      $("regions").replaceChildren(...Array.from(regions).sort().map((p) => el("option", { value: p })));
      document.querySelectorAll("#variants select.site").forEach((s) => fillSelect(s, techOptions("onsite_pv"), s.value));
      document.querySelectorAll("#sources tr").forEach((tr) => {
        if (tr.querySelector(".kind").value === "onsite_pv") { const s = tr.querySelector(".tech"); fillSelect(s, techOptions("onsite_pv"), s.value); }
      });
    } catch (e) {
      setStatus("scen-status", e.message, true);
    }
  }

  // ---- buyers ---------------------------------------------------------------
  let openID = null;
  async function searchDeclarations() {
    const q = new URLSearchParams();
    [["product", "b-product"], ["company", "b-company"], ["region", "b-region"]].forEach(([k, id]) => {
      const v = $(id).value.trim();
      if (v) q.set(k, v);
    });
    setStatus("buy-status", t("loading"));
    try {
      const r = await apiFetch("/v1/declarations" + (q.toString() ? "?" + q : ""));
      const list = r.declarations || [];
      $("decl-table").hidden = list.length === 0;
      $("decl-rows").replaceChildren(...list.map((d) => {
        const b = el("button", { type: "button", class: "open", "data-id": d.id, text: t("open") });
        b.addEventListener("click", () => openDeclaration(d.id));
        return el("tr", {}, el("td", { text: d.product_name }), el("td", { text: d.company_name }), el("td", { text: d.region }),
          el("td", { text: d.reference_period.start + " – " + d.reference_period.end }), el("td", { class: "n", text: fmt(d.total_tco2e_per_t, 3) }),
          el("td", {}, b));
      }));
      setStatus("buy-status", list.length ? list.length + " " + t("found") : t("noResults"));
    } catch (e) {
      setStatus("buy-status", e.message, true);
    }
  }
  async function openDeclaration(id) {
    setStatus("buy-status", t("loading"));
    try {
      const d = await apiFetch("/v1/declarations/" + encodeURIComponent(id));
      openID = id;
      $("decl-detail").hidden = false;
      $("d-title").textContent = d.product_name + " — " + d.company_name;
      const res = d.result || {};
      const tot = res.total_tco2e_per_t || {};
      kvRows($("d-kv"), [["id", d.id], [t("version"), String(d.version)], [t("status"), d.status], [t("region"), d.region],
        [t("period"), d.reference_period.start + " – " + d.reference_period.end],
        [t("locTotal"), fmt(tot.location_based ?? d.total_tco2e_per_t, 4) + " t CO2e/t"],
        [t("mktTotal"), fmt(tot.market_based, 4) + " t CO2e/t"], [t("dataset"), d.dataset_version + " / " + d.engine_version],
        [t("hash"), d.content_hash]]);
      kvRows($("d-stages"), (res.stages || []).map((s) => [t("s_" + s.stage), fmt(s.tco2e_per_t, 4) + " t CO2e/t"]));
      $("d-verify").replaceChildren();
      setStatus("verify-status", "");
      setStatus("buy-status", "");
      $("decl-detail").focus();
    } catch (e) {
      setStatus("buy-status", e.message, true);
    }
  }
  async function verifyDeclaration() {
    if (!openID) return;
    setStatus("verify-status", t("loading"));
    try {
      const v = await apiFetch("/v1/declarations/" + encodeURIComponent(openID) + "/verify");
      const yn = (b) => (b ? t("yes") : t("no"));
      kvRows($("d-verify"), [[t("reproduced"), yn(v.reproduced)], [t("hashValid"), yn(v.stored_hash_valid)],
        [t("matches"), yn(v.result_matches)], [t("stored"), fmt(v.stored_total_tco2e_per_t, 6)],
        [t("recomputed"), fmt(v.recomputed_total_tco2e_per_t, 6)], [t("notes"), (v.notes || []).join(" ")]]);
      setStatus("verify-status", v.reproduced ? "✔ " + t("reproduced") : "✘ " + t("reproduced") + ": " + t("no"), !v.reproduced);
    } catch (e) {
      setStatus("verify-status", e.message, true);
    }
  }

  // ---- wiring -----------------------------------------------------------------
  function init() {
    const saved = localStorage.getItem("alcarbon.lang");
    lang = saved === "zh" || saved === "en" ? saved : (navigator.language || "").startsWith("zh") ? "zh" : "en";
    $("lang").value = lang;
    $("lang").addEventListener("change", () => { lang = $("lang").value; localStorage.setItem("alcarbon.lang", lang); applyLang(); });
    // In-page navigation scrolls without touching the hash, which holds the inputs.
    document.querySelectorAll("nav a[href^='#'], a.skip").forEach((a) => a.addEventListener("click", (ev) => {
      const target = document.querySelector(a.getAttribute("href"));
      if (!target) return;
      ev.preventDefault();
      target.setAttribute("tabindex", "-1");
      target.scrollIntoView();
      target.focus({ preventScroll: true });
    }));
    const restored = loadHash();
    if (!restored) writePlant(SHANXI);
    $("plant-form").addEventListener("submit", (ev) => { ev.preventDefault(); computePlant(); });
    $("plant-form").addEventListener("input", saveHash);
    $("plant-form").addEventListener("change", saveHash);
    $("add-source").addEventListener("click", () => { const tr = addSourceRow(); tr.querySelector("select").focus(); saveHash(); });
    $("preset").addEventListener("click", () => { writePlant(SHANXI); saveHash(); computePlant(); });
    $("copy-curl").addEventListener("click", () => copyText(curlFor("/v1/footprints/primary", plantRequest(readPlant())), "plant-status"));
    $("scen-form").addEventListener("submit", (ev) => { ev.preventDefault(); computeScenarios(); });
    $("add-variant").addEventListener("click", () => addVariantRow());
    $("copy-curl-scen").addEventListener("click", () => copyText(curlFor("/v1/scenarios/compare", scenarioRequest()), "scen-status"));
    addVariantRow(); addVariantRow(); addVariantRow();
    $("buy-form").addEventListener("submit", (ev) => { ev.preventDefault(); searchDeclarations(); });
    $("verify").addEventListener("click", verifyDeclaration);
    applyLang();
    loadSites();
    // Charts take their container's width: redraw them when it changes.
    let resizeTimer = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (lastPlant) renderPlant(lastPlant);
        if (lastScen) renderScenarios(lastScen);
      }, 200);
    });
    if (restored) computePlant();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
