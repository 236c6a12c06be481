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
      smelter: "Smelter", region: "Region", year: "Year", basis: "Electricity basis", 
      production: "Production [{u_t_yr}]", pfcMethod: "PFC method", cellTech: "Cell technology",
      aem: "Anode effect [min/cell·day]", portfolio: "Electricity supply portfolio",
      portfolioHint: "Fixed volumes (MWh) are met first; shares split the rest and must sum to 1. On-site PV: amount in MWp, column 4 is the site.",
      kind: "Kind", amount: "Amount", amountUnit: "Unit", fuelTech: "Fuel / technology / site", ef: "EF [{u_tco2_mwh}]",
      remove: "Remove", removeRow: "Remove row", addSource: "Add source", compute: "Compute footprint",
      preset: "Reset to the Shanxi example", copyCurl: "Copy as curl", 
      byStage: "By stage", renShares: "Renewable shares", provenance: "Provenance",
      value: "Value", unit: "Unit", source: "Source", confidence: "Confidence", warnings: "Warnings",
      scenHint: "The base is the plant form above; each variant adds on-site PV to its portfolio (up to 10).",
      discount: "Discount rate", lifetime: "Lifetime [years]", name: "Name", pvMWp: "PV [MWp]", site: "Site", tilt: "Tilt [°]",
      capex: "Capex [million CNY]", opex: "Opex [million CNY/yr]", addVariant: "Add variant", compare: "Compare",
      renAnnual: "Renewable (annual, market)", renHourly: "Renewable (hourly-matched)", pvEnergy: "PV energy [{u_mwh_yr}]",
      mac: "Cost [CNY/{u_tco2e} avoided]", footprintChart: "Change from the base [{u_tco2e_t}]",
      maccChart: "MACC: cost per {u_tco2e} avoided (width = t avoided per year; the widths add up as if all variants were built together, so read alternatives — e.g. sizes of one PV plant — one at a time)", product: "Product", company: "Company",
      period: "Period", open: "Open", search: "Search", verify: "Verify", footer: "Every number is an answer of the public API.",
      computing: "Computing…", done: "Done", copied: "Copied", copyFailed: "Copy failed: select the command below",
      noResults: "No declarations found", found: "found", loading: "Loading…",
      na: "n/a",
      obligation: "Obligation", 
      cnCode: "CN code", ndrc: "NDRC level", version: "Version", status: "Status", hash: "Content hash", dataset: "Dataset",
      reproduced: "Reproduced", hashValid: "Stored hash valid", matches: "Result matches", stored: "Stored total",
      recomputed: "Recomputed total", notes: "Notes", yes: "yes", no: "no", tooMany: "At most 10 variants",
      maxVariants: "variant", base: "base", errorsIn: "Problems",
      
      
      
      tech_coal: "coal", tech_gas: "gas", tech_hydro: "hydro", tech_nuclear: "nuclear", tech_wind: "wind", tech_solar: "solar PV",
      tech_csp: "solar thermal (CSP)", tech_biomass: "biomass", u_share: "share", st_active: "active", st_deprecated: "deprecated",
      ndrc_benchmark: "benchmark", ndrc_baseline: "baseline", ndrc_below_baseline: "below the baseline", cnyPerT: "CNY/{u_tco2e}",
      tPerYr: "{u_tco2e_yr}", dflt: "(default)", f_natural_gas: "natural gas", f_coal: "coal", f_diesel: "diesel", f_fuel_oil: "fuel oil",
      f_petroleum_coke: "petroleum coke", f_lpg: "LPG", f_lng: "LNG", f_coke_oven_gas: "coke-oven gas", m_default: "dataset default",
      m_tier1: "IPCC Tier 1", m_slope: "slope", m_overvoltage: "overvoltage", m_measured: "measured",
      apiEnglish: "Warnings and factor sources are in English, as the API gives them.",
      aeo: "Anode-effect overvoltage [mV]", ce: "Current efficiency [0–1]", cf4: "CF4 measured [kg/t]", c2f6: "C2F6 measured [kg/t]",
      anode: "Anodes", anodeHint: "Leave a field empty to use the dataset's default; the response lists every default it took.",
      anodeNet: "Net carbon [t C/t Al]", anodeCons: "Anode consumption [t/t Al]", anodeS: "Sulphur [mass fraction]", anodeAsh: "Ash [mass fraction]",
      bakeEnergy: "Baking energy [kgce/t anode]", bakeFuel: "Baking fuel", tiltPV: "Tilt [°] (PV)",
      footprintOf: "Footprint of", primaryIngot: "primary ingot (the plant)", baseMolten: "Base molten share", prodOut: "Product output [{u_t_yr}]",
      withUnc: "Uncertainty band p5–p95 (Monte Carlo)", gcMWh: "Green contract [{u_mwh_yr}]", gcTech: "Contract technology",
      molten: "Molten share [0–1]", exported: "Exported [{u_mwh_yr}]", monthlyCol: "Monthly PV",
      monthlyChart: "Monthly PV output against the plant's load [MWh]", sweepH: "Sweep: footprint against PV capacity",
      sweepHint: "The base plant with one on-site PV system at the first variant's site and tilt, its capacity swept from 0 to the maximum (POST /v1/scenarios/sweep).",
      sweepMax: "Maximum PV [MWp]", sweepSteps: "Steps", runSweep: "Run sweep", sweepChart: "Footprint [{u_tco2e_t}] against PV capacity [MWp]",
      pactView: "PACT view", pactJSON: "ProductFootprint JSON (PACT v2)", cbamLink: "CBAM summary (JSON)", pactLink: "PACT view (JSON)",
      coalCol: "Coal [gce/kWh] (captive)", unitaryAmount: "Unitary product amount", productUnit: "product unit", headline: "Market-based [{u_tco2e_t}]", pvShareLoad: "PV share of the load, hour by hour", sweepMaxRule: "must be a number above 0 and at most 10,000 MWp",
      sweepStepsRule: "must be a whole number from 2 to 50", stale: "out of date: the last request failed", exportedShort: "exported", show: "Show", pvOut: "PV output", plantLoad: "Plant load", selfCons: "used on site", month: "Month",
      computingUnc: "Computing the uncertainty band…", productIds: "Product IDs",
      productNote: "Product mode: the PV and green contracts of each variant supply the smelter; the renewable shares, PV energy and export of the smelter are shown in primary mode, so they are left out here.",
      dsDefault: "default: newest released", dsHint: "Choose a version to pin it; the default follows the newest release.",
      dsHintDraft: "A draft ({v}) is used only when chosen here; its results carry a warning and cannot be published.",
      ds_draft: "draft", ds_released: "released", 
      anodeOnSite: "Anodes baked on site", onSiteDefault: "dataset default",
      anodeOnSiteHint: "Sets the CBAM boundary (2026.2): yes puts the anode plant's CO2 in direct emissions.",
      graded: "graded", ndrc_not_assessed: "not assessed",
      cbamRules: "Rules", rules_estimate: "estimate", rules_definitive_2026: "definitive period (2026)",
      cbamAnodeCO2: "Direct: anode CO2", cbamPFC: "Direct: PFC", cbamCasting: "Direct: casting fuel", cbamAnodePlant: "Direct: anode plant",
      pfcVerifiable: "PFC verifiable", pfcNotVerifiable: "no — an estimate a verifier cannot accept", indirectRule: "Indirect rule",
      portfolioIndirect: "Indirect on the supply's own factors (SEE)", efShort: "EF",
      etsH: "China ETS", etsAlloc: "Allowance allocation", etsMethod: "Method", etsBenchmark: "Benchmark [{u_tco2e_t}]",
      etsAllowances: "Allowances [{u_tco2e}]", etsBalance: "Balance [{u_tco2e}]", notPublished: "not published", etsLink: "ETS summary (JSON)",
      etsGuideline: "Guideline", etsAnode: "Anode CO2", etsPFC: "PFC (CF4, C2F6)", etsProcess: "Electrolysis process (allocation unit)",
      etsCasting: "Casting fuel", etsEnterprise: "Enterprise level", etsPurchased: "Purchased electricity (reported, not covered)",
      etsAnnualProcess: "Process, per year", etsAnnualEnterprise: "Enterprise, per year", etsThreshold: "Key-emitter threshold",
      etsKeyEmitter: "Key emitting unit", tPerYrCO2e: "{u_tco2e_yr}",
      specVersion: "PACT spec version",
      w_anodes_on_site_assumed: "Anodes baked on site: not stated, so taken as yes (as at most Chinese smelters); CBAM direct emissions include the anode plant. Set “Anodes baked on site” to no if you buy them.",
      w_cbam_slope_coefficients: "CBAM: the slope method needs the Commission's coefficients for the cell technology; the {coefficients} coefficients given are not used for CBAM.",
      w_cbam_pfc_method_not_verifiable: "CBAM: the PFC method “{method}” is not one the Commission accepts (slope, overvoltage or measured); the PFC figure is an estimate.",
      w_green_contract_not_renewable: "Supply row {row}: the green contract is for {technology}, which is not renewable.",
      w_captive_ef_default: "Supply row {row} (captive plant): no emission factor or coal consumption — the dataset's {fuel} default is used. Enter the plant's own figure.",
      w_grid_factor_year_fallback: "No grid factor for {region} in {year}: the {used_year} factor is used.",
      w_lifecycle_factor_year_fallback: "No national life-cycle factor for {year}: the {used_year} one is used for the {region} estimate.",
      w_lifecycle_provincial_estimate: "The life-cycle electricity factor of {region} is an estimate (MEE publishes it nationally only).",
      w_renewable_fraction_national: "No renewable fraction for {region}: the national value is used.",
      w_renewable_fraction_year_fallback: "No renewable fraction for {region} in {year}: {used_year} is used.",
      w_residual_operational_on_lifecycle: "The national factor excluding market-traded non-fossil power is an operational CO2 factor; on the life-cycle basis it understates the grid's upstream emissions.",
      w_technology_lifecycle_year_fallback: "No life-cycle factor for {technology} power in {year}: {used_year} is used.",
      w_fixed_volumes_meet_demand: "The fixed volumes (MWh) meet the whole demand: the share-based rows supply nothing.",
      w_pv_surplus_exported: "On-site PV produces {mwh} {u_mwh_yr} more than the plant uses in its hours: the surplus is exported and does not count.",
      w_fixed_volumes_exported: "The fixed volumes exceed the demand by {mwh} MWh: the excess is exported and does not count.",
      w_residual_mix_estimate: "Market-based: China publishes no provincial residual mix; uncovered grid MWh use an estimate.",
      w_certificates_exceed_grid: "Certificates ({certificates} MWh) exceed the grid electricity ({grid} MWh): only {counted} MWh count.",
      w_typical_supply_used: "No supply portfolio given: the typical supply of a {region} smelter is used (captive coal {captive_share_pct} % of demand, the rest from the grid).",
      w_casting_gas_default: "Casting natural gas not given: the world casthouse average ({nm3_per_t} Nm³/t) is used.",
      w_alumina_energy_default: "Alumina refinery energy not given: the IAI China average ({mj_per_t} MJ/t) is used, as coal.",
      w_alumina_upstream_partial: "Alumina upstream: only bauxite mining is included (caustic soda and lime are not in the dataset).",
      w_anode_baking_energy_default: "Baking energy not given: the GB 25324-2022 grade-3 limit is used (conservative).",
      w_anode_production_partial: "Anode production excludes coke calcining, forming, rodding and the coke and pitch upstream.",
      w_pfc_tier1_high: "PFC by IPCC Tier 1 is far above Chinese point-fed practice; use slope or measured data.",
      w_dataset_draft: "Dataset {dataset} is a draft: do not publish or rely on this result.",
      w_ac_default: "AC power not given: the IAI China 2021 average ({kwh_per_t} kWh/t) is used. Enter your smelter's figure.",
      w_ac_read_as_comprehensive: "The AC power ({kwh_per_t} kWh/t) is read as the liquid comprehensive AC power (incl. rectification and auxiliaries) and graded as such; if it is the potline's figure, enter it as the liquid AC power.",
      w_ac_from_liquid_plus_auxiliaries: "Comprehensive AC power not given: the potline's {liquid_kwh_per_t} kWh/t plus {auxiliaries_kwh_per_t} kWh/t of auxiliaries (GB 21346 grade 3) is used.",
      w_primary_prefix: "Primary metal — ", e_out_of_range: "must be between {min} and {max}{unit}; got {got}", e_out_of_range_min: "must be at least {min}{unit}; got {got}",
      e_out_of_range_max: "must be at most {max}{unit}; got {got}", e_not_allowed: "must be one of {allowed}; got {got}",
      e_required: "is required", e_unknown_field: "is not a field here; allowed: {allowed}", e_wrong_type: "must be {expected}, not {got}",
      e_unknown_value: "unknown {kind} “{got}”", e_unknown_value_allowed: "unknown {kind} “{got}”; allowed: {allowed}", e_invalid_date: "must be a date YYYY-MM-DD; got “{got}”",
      e_shares_sum: "the shares of the share-based rows must sum to 1; they sum to {sum}", e_no_factor: "the dataset has no electricity factor for {region}{year}", e_no_factor_year: " in or before {year}",
      e_one_of_required: "give one of: {fields}", e_mutually_exclusive: "give only one of: {fields}", e_requires: "needs {fields}", e_or: " or ",
      e_together: "give {fields} together, or none of them", e_not_used: "is used only by {used_by}", e_not_used_dist: "is not used by distribution {distribution}",
      e_too_long: "must be at most {max} characters; got {got}", e_wrong_count: "needs {min} to {max} items; got {got}", e_wrong_count_exact: "needs exactly {max} items; got {got}",
      e_wrong_count_max: "takes at most {max} items; got {got}", e_before_start: "must not be before the start ({start})", e_duplicate: "“{got}” is given twice",
      e_not_omittable: "step “{step}” cannot be omitted", e_not_in_route: "step “{step}” is not in the route of {product} ({route})",
      e_invalid_period: "must be a year (2024), a date (2024-06-30) or a range of dates start/end; got “{got}”", e_not_multiple_of: "must be a multiple of {step}{unit}; got {got}",
      e_sum_exceeds: "the shares must sum to at most {max}; they sum to {sum}", e_needs_dataset: "is read from dataset {from} on; choose a later dataset than {dataset} or leave it empty",
      e_must_match: "must be {want}, as the request's; got {got}",
      e_invalid_format: "is not a valid {format}; got {got}", e_format_email: "e-mail address", e_format_phone: "phone number (digits, spaces and + ( ) . / - only)", e_format_unlocode: "UN/LOCODE (country code and three letters or digits 2–9, e.g. CN TYN)",
      e_out_of_range_excl: "must be greater than {min} and at most {max}{unit}; got {got}", e_out_of_range_excl_min: "must be greater than {min}{unit}; got {got}",
      e_invalid_epw: "the EPW file cannot be read at line {line}{field}; check it against the EnergyPlus weather file (EPW) format", e_invalid_epw_field: ", field {field}",
      e_invalid_epw_range: "the EPW file's line {line}, field {field}: {got}{unit} is outside {min}–{max}{unit}",
      e_not_representable: "is too large for a number; got {got}", e_not_representable_integer: "must be a whole number within range; got {got}",
      e_belongs_to_portfolio: "belongs to the whole plant, not to one source: give it as the supply portfolio's load ({want})",
      e_unrepresentable_range: "from {from} to {to} in {steps} steps cannot be represented: the span must be finite and each step larger than the rounding of its ends",
      e_not_numeric: "{parameter} is not a number: list its values instead of a range",
      e_invalid_pointer_not_in_schema: "“{got}” is not a field of the request; fields at {at}: {allowed}", e_invalid_pointer_not_an_index: "{at} is an array: “{token}” must be an index (from 0)",
      e_invalid_pointer_no_field: "{at} is a single value; it has no field “{token}”", e_invalid_pointer_not_a_value: "“{got}” is an object or array; sweep a single number, text or true/false inside it",
      e_invalid_pointer_no_element: "the base has no array there, so element {token} does not exist", e_invalid_pointer_no_element_length: "the base's array has {length} elements; element {token} does not exist",
      e_invalid_pointer_not_container: "the base has a single value where “{token}” should be an object or array", e_top_level: "the top level",
      e_draft_dataset: "dataset {dataset} is a draft; a declaration needs a released dataset: {released}",
      e_no_registry: "this server keeps no declarations; give the primary metal's footprint or its smelter instead",
      e_wrong_kind: "names a declaration of {got}; a declaration of {want} is needed", e_decl_primary: "primary aluminium", e_decl_product: "an aluminium product",
      e_drives_work: "drives the cost: {units} work units (1 unit ≈ 1 µs of CPU)",
      e_no_coefficient: "the dataset has no overvoltage coefficient for {technology}; choose the slope or measured PFC method",
      e_sums_to_zero: "the load profile sums to zero; give a load above zero in some hours",
      e_no_output_left: "at {pct} %/yr degradation the array has no output left in year {year}; choose an earlier operating year or a smaller degradation",
      e_no_site_data_irradiation: "site “{site}” has no sourced irradiation; give monthly GHI or hourly data", e_no_site_data_coordinates: "site “{site}” has no sourced coordinates; give a location (latitude, longitude)",
      e_no_sunrise: "is {got} {unit}, but the sun does not rise at latitude {latitude}° in month {month}",
      e_empty_file: "the file is empty: it needs the template's header row",
      e_unknown_column: "column {column}: “{got}” is not a column of the template; download the template for the headers it takes",
      e_duplicate_column: "columns {columns} both name {got}; keep one of them",
      e_no_columns: "the header row (row 1) names no column of the template",
      e_invalid_csv: "row {row} is not valid CSV: a quotation mark is unmatched or stands inside an unquoted cell",
      e_not_xlsx: "the file is not an XLSX workbook; save it as .xlsx (Excel 2007 or later) or as CSV",
      e_unreadable_sheet: "the workbook's first sheet cannot be read; put the rows on the first sheet",
      e_xlsx_too_large: "the workbook unzips to more than {max}; split it into smaller files",
      e_line_too_long: "line {row} is longer than {max}",
      e_unsupported_charset: "the character set {got} is not read; save the file as {allowed}",
      e_no_rows: "the file has a header row but no rows under it",
      e_unreadable_file: "the file could not be read to its end; upload it again",
      e_too_many_rows: "the file has more than {max} rows, the most this server takes in one file: split it into files of at most {max} rows",
      e_too_many_bytes: "the file is larger than {max}, the most this server takes in one file: split it into smaller files",
      e_too_many_bytes_sync: "the file has {got}, but a file of up to {rows} rows, computed at once, may have at most {max}: split it into smaller files",
      e_bytes: "{n} bytes",
      jt_object: "an object", jt_array: "an array", jt_string: "text", jt_boolean: "true or false", jt_number: "a number", jt_integer: "a whole number", jt_null: "empty",
      k_region: "region", k_dataset: "dataset version", k_site: "site", k_product: "product", k_alloy: "alloy", k_organisation: "organisation", k_declaration: "declaration",
      k_technology: "technology", k_step: "process step", k_transport_mode: "transport mode", k_source_kind: "source kind", k_uncertain_input: "uncertain input", k_alumina_route: "alumina route", k_gwp: "GWP set", k_pfc_method: "PFC method", k_mounting: "mounting",
      tasks: "Tasks", taskPlant: "Calculate my smelter", taskPlantHint: "Footprint per t of aluminium, by stage, with CBAM and the GB 21346 grade",
      taskCompare: "Compare PV options", taskCompareHint: "What each PV size or green contract changes, and at what cost",
      taskSupplier: "Look up a supplier", taskSupplierHint: "Published footprints, verifiable, with PACT, CBAM and ETS views",
      plantLead: "The Shanxi example smelter is computed as the page opens; change any input below and press Compute.",
      inputsH: "Inputs", gradeWord: "Grade", gradeOf: "of 3", gradeLimit: "the mandatory limit", gradeBest: "the best grade",
      gradeNote: "grade 1 ≤ {v} kWh/t", gradeOver: "above the limit", defaultsUsed: "{n} defaults used — review",
      defaultUsed: "1 default used — review", warningsNote: "The dataset's defaults and the assumptions behind this result, as the API states them (in English).",
      stageCaption: "By stage — the upper bar location-based, the lower market-based [{u_tco2e_t}]; the legend is location-based",
      factorId: "Factor", deltaT: "Δ location-based [{u_tco2e_t}]", deltaPct: "Δ %", avoided: "Avoided [{u_tco2e_yr}]",
      costSize: "Cost per {u_tco2e} avoided against the PV size [CNY/{u_tco2e}] — the variants are sizes of one plant, alternatives, not additions",
      noResultsHint: "No declaration matches these filters.", clearFilters: "Clear the filters", declHeadlineNote: "the buyer's figure (GHG Protocol market-based)",
      stage: "Stage", declDetails: "Identity, version and content hash", datesInclusive: "dates inclusive (first and last day of the period)",
      pdsExplain: "Share of the footprint computed from the supplier's own measured data rather than secondary (database) factors. 0 % means every factor is a dataset default or a published average.",
      pcfExplain: "Product carbon footprint without biogenic emissions, in kg CO2e per declared unit (1 kg of product), as PACT v2 states it.",
      periodExplain: "PACT states the end of the period as the first instant after it (exclusive); the page shows every period as first and last day, inclusive.",
      explain: "What is this?", uncLegend: "Band: p5–p95 of the difference from the base — the same {n} samples (seed {s}) drive the base and each variant, so shared uncertain inputs cancel. Base row: the base's own p5–p95.",
      uncDrivers: "Top three drivers", uncComputing: "computing…", seeRef: "Commission default {v}", perTshort: "t",
      refMark: "CBAM default value (reference)", million: "million", inp_ac: "AC power", inp_grid_ef: "grid emission factor",
      inp_nac: "net anode carbon", inp_pfc: "PFC emissions", inp_alumina: "alumina footprint", inp_anode_prod: "anode production",
      inp_captive: "captive plant {n} emission factor", inp_pv: "on-site PV {n} yield", inp_metal: "primary metal footprint", inp_melt: "melt loss",
      baselinePrefix: "base: ", ofBase: "of the base", changeKey: "Bars: change from the base (negative = lower footprint); whiskers: p5–p95 of that change.",
      band: "p5–p95 [{u_tco2e_t}]",
      navBatch: "Batch files", batchH: "Batch files: many smelters or products in one file",
      batchLead: "One row per smelter or product: download the template, fill it in, upload it. Each row is computed as the single calculation computes it: up to 200 rows at once, a larger file (up to 100,000 rows) as a background job with a progress bar.",
      batchKind: "Each row is", batchKindPrimary: "a smelter (primary aluminium)", batchKindProduct: "an aluminium product (profile, sheet, foil …)",
      downloadTemplate: "Download template (XLSX)", templateCSV: "or as CSV",
      templateHint: "Column headers in the page's language; the XLSX's second sheet explains every column: unit, allowed range and the default an empty cell takes.",
      batchFile: "Batch file (CSV or XLSX)",
      apiKeyHint: "Batches need the publisher's API key. It stays in this browser tab only and is sent only in the request's header.",
      uploadBatch: "Upload batch", batchComputing: "Uploading and computing…", batchProgress: "Background job: {done} of {total} rows done",
      batchQueued: "Background job queued: {total} rows", cancelJob: "Cancel job", batchCanceling: "Canceling…",
      batchJobDone: "The background job is done.", batchJobCanceled: "Job canceled after {done} of {total} rows; the results of those rows are below.",
      batchJobCanceledNone: "Job canceled before any row was computed.", batchJobFailed: "The background job failed: {detail}",
      batchJobLost: "Could not follow the background job: {detail}",
      batchShown: "The table shows {shown} of {rows} rows: the first {limit}, then only rows with errors. The CSV and XLSX hold them all.",
      batchSummary: "{rows} rows: {computed} computed, {failed} with errors", batchSummaryOK: "{rows} rows, all computed",
      batchRow: "Row", batchPlace: "Region, year", batchStages: "By stage, location-based", batchShares: "Renewable share (location / market)",
      batchETSProcess: "China ETS: process", batchETSEnterprise: "China ETS: enterprise",
      batchNote: "Figures per t in {u_tco2e_t}. The CSV and XLSX are the API's own answer to the same file (the XLSX with a results and an errors sheet).",
      batchRowErr: "column {column}: {text}", batchWholeRow: "the whole row",
      downloadCSV: "Download results (CSV)", downloadXLSX: "Download results (XLSX)", downloaded: "Downloaded {name}",
      bt_noFile: "Choose a CSV or XLSX file first.", bt_noKey: "Enter the API key first.",
      bt_400: "The file cannot be read as a batch (the API says: {detail})", bt_file: "The file cannot be read as a batch: {text}",
      bt_401: "The API key was not accepted: enter the publisher's key.",
      bt_413: "The file is over the server's row or size limit (by default 100,000 rows and 64 MiB a file): split it into smaller files. The API says: {detail}",
      bt_415: "Not a batch file: upload a .csv or .xlsx file.", bt_429: "Too many requests with this API key: try again in {s} s.",
      bt_503: "The server is busy: try again in a moment.", bt_failed: "The upload failed: {detail}",
      cbamFileHint: "the Commission's communication template for installations, filled from this declaration"
    },
    zh: {
      skip: "跳到正文", tagline: "铝的碳足迹，每个因子都有来源", nav: "栏目", navPlant: "工厂碳足迹", navScen: "光伏情景",
      navBuyers: "采购方", language: "语言", smelter: "电解铝厂", region: "地区", year: "年份", basis: "电力因子口径",
      production: "产量 [{u_t_yr}]", pfcMethod: "PFC 方法", cellTech: "电解槽技术",
      aem: "阳极效应 [分钟/槽·日]", portfolio: "供电结构",
      portfolioHint: "固定电量 (MWh) 先满足；比例分配其余电量，合计须为 1。厂内光伏：数量为 MWp，第 4 列为站点。",
      kind: "类型", amount: "数量", amountUnit: "单位", fuelTech: "燃料 / 技术 / 站点", ef: "排放因子 [{u_tco2_mwh}]", remove: "删除",
      removeRow: "删除此行", addSource: "添加电源", compute: "计算碳足迹", preset: "恢复山西示例", copyCurl: "复制为 curl",
      byStage: "分阶段", renShares: "可再生电力比例",
      provenance: "数据来源", value: "数值", unit: "单位", source: "来源", confidence: "可信度", warnings: "警告",
      scenHint: "基准为上方工厂表单；每个方案在供电结构中加入厂内光伏（最多 10 个）。", discount: "折现率", lifetime: "寿命 [年]",
      name: "名称", pvMWp: "光伏 [MWp]", site: "站点", tilt: "倾角 [°]", capex: "投资 [百万元]", opex: "运维 [百万元/年]",
      addVariant: "添加方案", compare: "比较", renAnnual: "可再生比例（年度，市场）", renHourly: "可再生比例（逐时匹配）",
      pvEnergy: "光伏发电量 [{u_mwh_yr}]", mac: "减排成本 [元/{u_tco2e}]", footprintChart: "相对基准的变化 [{u_tco2e_t}]",
      maccChart: "边际减排成本曲线（宽度 = 年减排量；宽度按各方案同时实施累加，互斥方案（如同一光伏电站的不同规模）请逐个比较）", product: "产品", company: "企业", period: "报告期", open: "打开",
      search: "搜索", verify: "核验", footer: "页面上的每个数字都来自公开 API。", computing: "计算中…", done: "完成",
      copied: "已复制", copyFailed: "复制失败：请手动选择下方命令", noResults: "未找到声明", found: "条", loading: "加载中…",
      na: "无", 
      obligation: "履约排放", cnCode: "CN 编码", ndrc: "发改委能效水平",
      version: "版本", status: "状态", hash: "内容哈希", dataset: "数据集", reproduced: "可复现", hashValid: "存储哈希有效",
      matches: "结果一致", stored: "存储总量", recomputed: "重算总量", notes: "说明", yes: "是", no: "否", tooMany: "最多 10 个方案",
      maxVariants: "方案", base: "基准", errorsIn: "问题",
      
      
      
      tech_coal: "煤电", tech_gas: "气电", tech_hydro: "水电", tech_nuclear: "核电", tech_wind: "风电", tech_solar: "光伏",
      tech_csp: "光热", tech_biomass: "生物质", u_share: "比例", st_active: "有效", st_deprecated: "已废止",
      ndrc_benchmark: "标杆水平", ndrc_baseline: "基准水平", ndrc_below_baseline: "低于基准水平", cnyPerT: "元/{u_tco2e}",
      tPerYr: "{u_tco2e_yr}", dflt: "（默认）", f_natural_gas: "天然气", f_coal: "煤", f_diesel: "柴油", f_fuel_oil: "燃料油",
      f_petroleum_coke: "石油焦", f_lpg: "液化石油气", f_lng: "液化天然气", f_coke_oven_gas: "焦炉煤气", m_default: "数据集默认",
      m_tier1: "IPCC 第一层级", m_slope: "斜率法", m_overvoltage: "过电压法", m_measured: "实测",
      apiEnglish: "默认值说明与因子来源为英文原文（来自 API）。",
      aeo: "阳极效应过电压 [mV]", ce: "电流效率 [0–1]", cf4: "CF4 实测 [kg/t]", c2f6: "C2F6 实测 [kg/t]",
      anode: "阳极", anodeHint: "留空则使用数据集默认值；响应会列出所用的每个默认值。",
      anodeNet: "净碳耗 [t C/t 铝]", anodeCons: "阳极消耗 [t/t 铝]", anodeS: "硫含量 [质量分数]", anodeAsh: "灰分 [质量分数]",
      bakeEnergy: "焙烧能耗 [kgce/t 阳极]", bakeFuel: "焙烧燃料", tiltPV: "倾角 [°]（光伏）",
      footprintOf: "核算对象", primaryIngot: "原铝锭（本厂）", baseMolten: "基准铝水直供比例", prodOut: "产品产量 [{u_t_yr}]",
      withUnc: "不确定性区间 p5–p95（蒙特卡洛）", gcMWh: "绿电交易 [{u_mwh_yr}]", gcTech: "合同电源类型",
      molten: "铝水直供比例 [0–1]", exported: "外送电量 [{u_mwh_yr}]", monthlyCol: "逐月光伏",
      monthlyChart: "逐月光伏发电量与工厂负荷 [MWh]", sweepH: "扫描：碳足迹随光伏装机变化",
      sweepHint: "基准工厂加一套厂内光伏（站点和倾角取第一个方案），装机从 0 扫描到最大值（POST /v1/scenarios/sweep）。",
      sweepMax: "最大光伏装机 [MWp]", sweepSteps: "步数", runSweep: "运行扫描", sweepChart: "碳足迹 [{u_tco2e_t}] 随光伏装机 [MWp]",
      pactView: "PACT 视图", pactJSON: "ProductFootprint JSON（PACT v2）", cbamLink: "CBAM 摘要（JSON）", pactLink: "PACT 视图（JSON）",
      coalCol: "供电煤耗 [gce/kWh]（自备电厂）", unitaryAmount: "单位产品数量", productUnit: "产品单位", headline: "基于市场 [{u_tco2e_t}]", pvShareLoad: "光伏占负荷比例（逐时）", sweepMaxRule: "须为大于 0 且不超过 10,000 MWp 的数", sweepStepsRule: "须为 2 到 50 的整数",
      stale: "已过期：最近一次请求失败", exportedShort: "外送", show: "显示", pvOut: "光伏发电量", plantLoad: "工厂负荷", selfCons: "厂内消纳", month: "月份",
      computingUnc: "正在计算不确定性区间…", productIds: "产品标识",
      productNote: "产品模式：各方案的光伏和绿电交易供给电解铝厂；电解铝厂的可再生比例、光伏发电量和外送电量请在原铝模式下查看，此处不显示。",
      dsDefault: "默认：最新正式版", dsHint: "在此选择版本即可固定使用该版本；默认随最新正式版更新。",
      dsHintDraft: "草案数据集（{v}）仅在此处明确选择时使用；其结果带有警告，且不能发布为声明。",
      ds_draft: "草案", ds_released: "正式发布", 
      anodeOnSite: "阳极在厂内焙烧", onSiteDefault: "数据集默认",
      anodeOnSiteHint: "决定 CBAM 边界（2026.2）：选“是”时阳极厂的 CO2 计入直接排放。",
      graded: "评级指标", ndrc_not_assessed: "未评估",
      cbamRules: "规则", rules_estimate: "估算", rules_definitive_2026: "正式期规则（2026）",
      cbamAnodeCO2: "直接：阳极 CO2", cbamPFC: "直接：PFC", cbamCasting: "直接：铸造燃料", cbamAnodePlant: "直接：阳极厂",
      pfcVerifiable: "PFC 可核查", pfcNotVerifiable: "否——核查机构不能接受的估算值", indirectRule: "间接排放规则",
      portfolioIndirect: "按自身供电因子的间接排放 (SEE)", efShort: "排放因子",
      etsH: "全国碳市场", etsAlloc: "配额分配", etsMethod: "方法", etsBenchmark: "基准值 [{u_tco2e_t}]",
      etsAllowances: "配额 [{u_tco2e}]", etsBalance: "盈缺 [{u_tco2e}]", notPublished: "未公布", etsLink: "碳市场摘要（JSON）",
      etsGuideline: "核算指南", etsAnode: "阳极 CO2", etsPFC: "PFC（CF4、C2F6）", etsProcess: "铝电解工序（配额分配单元）",
      etsCasting: "铸造燃料", etsEnterprise: "企业层级", etsPurchased: "外购电力（报告项，不纳入覆盖范围）",
      etsAnnualProcess: "工序年排放", etsAnnualEnterprise: "企业年排放", etsThreshold: "重点排放单位门槛",
      etsKeyEmitter: "重点排放单位", tPerYrCO2e: "{u_tco2e_yr}",
      specVersion: "PACT 规范版本",
      w_anodes_on_site_assumed: "未说明阳极来源：按厂内焙烧（国内多数电解铝厂如此），CBAM 直接排放含阳极厂排放。如外购阳极，请将“阳极在厂内焙烧”设为否。",
      w_cbam_slope_coefficients: "CBAM：斜率法须采用欧盟按电解槽类型给出的系数；所填 {coefficients} 系数不用于 CBAM。",
      w_cbam_pfc_method_not_verifiable: "CBAM：PFC 方法“{method}”不是欧盟认可的方法（斜率法、过电压法或实测）；PFC 数值为估算值。",
      w_green_contract_not_renewable: "供电结构第 {row} 行：绿电交易的电源为{technology}，不属于可再生能源。",
      w_captive_ef_default: "供电结构第 {row} 行（自备电厂）：未填排放因子或供电煤耗，采用数据集的{fuel}默认值。请填写本厂数值。",
      w_grid_factor_year_fallback: "{region} 无 {year} 年电网排放因子：采用 {used_year} 年数值。",
      w_lifecycle_factor_year_fallback: "无 {year} 年全国电力碳足迹因子：{region} 的估算采用 {used_year} 年数值。",
      w_lifecycle_provincial_estimate: "{region} 的电力碳足迹因子为估算值（生态环境部仅发布全国值）。",
      w_renewable_fraction_national: "{region} 无可再生电力比例：采用全国值。",
      w_renewable_fraction_year_fallback: "{region} 无 {year} 年可再生电力比例：采用 {used_year} 年数值。",
      w_residual_operational_on_lifecycle: "全国不含市场化交易非化石能源电量的排放因子为运行二氧化碳因子；用于全生命周期口径时会低估电网上游排放。",
      w_technology_lifecycle_year_fallback: "无 {year} 年{technology}碳足迹因子：采用 {used_year} 年数值。",
      w_fixed_volumes_meet_demand: "固定电量已满足全部用电：按比例分配的电源供电为 0。",
      w_pv_surplus_exported: "厂内光伏在其发电时段比工厂用电多 {mwh} {u_mwh_yr}：余电外送，不计入本产品。",
      w_fixed_volumes_exported: "固定电量超出用电 {mwh} MWh：超出部分外送，不计入本产品。",
      w_residual_mix_estimate: "基于市场法：我国未发布省级剩余电力组合因子；未覆盖的电网电量采用估算值。",
      w_certificates_exceed_grid: "绿证（{certificates} MWh）超过电网电量（{grid} MWh）：仅计 {counted} MWh。",
      w_typical_supply_used: "未填供电结构：采用{region}典型电解铝厂的供电（自备燃煤电厂占 {captive_share_pct} %，其余来自电网）。",
      w_casting_gas_default: "未填铸造天然气用量：采用全球铸造车间平均值（{nm3_per_t} Nm³/t）。",
      w_alumina_energy_default: "未填氧化铝厂能耗：采用 IAI 中国平均值（{mj_per_t} MJ/t），按煤计。",
      w_alumina_upstream_partial: "氧化铝上游：仅计铝土矿开采（数据集中无烧碱和石灰）。",
      w_anode_baking_energy_default: "未填焙烧能耗：采用 GB 25324-2022 三级限定值（保守）。",
      w_anode_production_partial: "阳极生产未含石油焦煅烧、成型、组装及焦和沥青的上游排放。",
      w_pfc_tier1_high: "IPCC 第一层级的 PFC 远高于国内点式下料实际水平；请采用斜率法或实测数据。",
      w_dataset_draft: "数据集 {dataset} 为草案：请勿发布或依赖此结果。",
      w_ac_default: "未填交流电耗：采用 IAI 中国 2021 年平均值（{kwh_per_t} kWh/t）。请填写本厂数值。",
      w_ac_read_as_comprehensive: "所填交流电耗（{kwh_per_t} kWh/t）按铝液综合交流电耗（含整流与辅助）理解并据此定级；如为电解系列数值，请填入“铝液交流电耗”。",
      w_ac_from_liquid_plus_auxiliaries: "未填综合交流电耗：采用电解系列 {liquid_kwh_per_t} kWh/t 加 GB 21346 三级允许的辅助电耗 {auxiliaries_kwh_per_t} kWh/t。",
      w_primary_prefix: "原铝：", e_out_of_range: "须在 {min} 与 {max}{unit} 之间；当前为 {got}", e_out_of_range_min: "须不小于 {min}{unit}；当前为 {got}",
      e_out_of_range_max: "须不大于 {max}{unit}；当前为 {got}", e_not_allowed: "须为以下之一：{allowed}；当前为 {got}",
      e_required: "为必填项", e_unknown_field: "不是此处的字段；可用字段：{allowed}", e_wrong_type: "须为{expected}，不能是{got}",
      e_unknown_value: "未知的{kind}“{got}”", e_unknown_value_allowed: "未知的{kind}“{got}”；可选：{allowed}", e_invalid_date: "须为 YYYY-MM-DD 格式的日期；当前为“{got}”",
      e_shares_sum: "按比例分配的各行比例合计须为 1；当前合计 {sum}", e_no_factor: "数据集中没有{region}{year}的电力排放因子", e_no_factor_year: "（{year} 年及以前）",
      e_one_of_required: "须填写以下之一：{fields}", e_mutually_exclusive: "以下各项只能填写其一：{fields}", e_requires: "须同时填写{fields}", e_or: "或",
      e_together: "{fields}须同时填写或同时不填", e_not_used: "仅适用于{used_by}", e_not_used_dist: "分布 {distribution} 不使用此项",
      e_too_long: "最多 {max} 个字符；当前 {got} 个", e_wrong_count: "须为 {min} 至 {max} 项；当前 {got} 项", e_wrong_count_exact: "须恰好 {max} 项；当前 {got} 项",
      e_wrong_count_max: "最多 {max} 项；当前 {got} 项", e_before_start: "不得早于开始日期（{start}）", e_duplicate: "“{got}”重复填写",
      e_not_omittable: "工序“{step}”不可省略", e_not_in_route: "工序“{step}”不在{product}的工艺路线中（{route}）",
      e_invalid_period: "须为年份（2024）、日期（2024-06-30）或日期范围 开始/结束；当前为“{got}”", e_not_multiple_of: "须为 {step}{unit} 的整数倍；当前为 {got}",
      e_sum_exceeds: "各比例合计不得超过 {max}；当前合计 {sum}", e_needs_dataset: "自数据集 {from} 起才读取此项；请选择比 {dataset} 更新的数据集，或留空",
      e_must_match: "须与请求一致，为 {want}；当前为 {got}",
      e_invalid_format: "不是有效的{format}；当前为 {got}", e_format_email: "电子邮箱地址", e_format_phone: "电话号码（仅限数字、空格及 + ( ) . / -）", e_format_unlocode: "联合国贸易地点代码 UN/LOCODE（国家代码加三位字母或数字 2–9，如 CN TYN）",
      e_out_of_range_excl: "须大于 {min} 且不大于 {max}{unit}；当前为 {got}", e_out_of_range_excl_min: "须大于 {min}{unit}；当前为 {got}",
      e_invalid_epw: "EPW 气象文件第 {line} 行{field}无法读取，请按 EnergyPlus 气象文件（EPW）格式检查", e_invalid_epw_field: "第 {field} 个字段",
      e_invalid_epw_range: "EPW 气象文件第 {line} 行第 {field} 个字段：{got}{unit} 超出 {min}–{max}{unit}",
      e_not_representable: "数值超出可表示范围；当前为 {got}", e_not_representable_integer: "须为范围内的整数；当前为 {got}",
      e_belongs_to_portfolio: "负荷属于全厂而非单个电源：请填写在供电结构的负荷中（{want}）",
      e_unrepresentable_range: "从 {from} 到 {to} 分 {steps} 个点无法表示：区间须为有限值，且步长须大于两端数值的舍入误差",
      e_not_numeric: "{parameter} 不是数值：请逐个列出取值，不能用范围",
      e_invalid_pointer_not_in_schema: "“{got}”不是请求中的字段；{at}处的字段：{allowed}", e_invalid_pointer_not_an_index: "{at}为数组：“{token}”须为序号（从 0 起）",
      e_invalid_pointer_no_field: "{at}为单个值，没有字段“{token}”", e_invalid_pointer_not_a_value: "“{got}”为对象或数组；请对其中的单个数值、文本或是否值作扫描",
      e_invalid_pointer_no_element: "基准请求在该处没有数组，元素 {token} 不存在", e_invalid_pointer_no_element_length: "基准请求的该数组有 {length} 个元素，元素 {token} 不存在",
      e_invalid_pointer_not_container: "基准请求中“{token}”处应为对象或数组，实为单个值", e_top_level: "顶层",
      e_draft_dataset: "数据集 {dataset} 为草案；声明须采用已发布的数据集：{released}",
      e_no_registry: "本服务器不保存碳足迹声明；请改填原铝碳足迹或原铝生产数据",
      e_wrong_kind: "所引用的是{got}声明；此处须引用{want}声明", e_decl_primary: "原铝", e_decl_product: "铝产品",
      e_drives_work: "推高计算量：{units} 个计算单位（1 单位约合 1 µs CPU 时间）",
      e_no_coefficient: "数据集中没有{technology}的过电压系数；PFC 计算方法请改用斜率法或实测",
      e_sums_to_zero: "负荷曲线合计为零；请至少在部分时段填写大于零的负荷",
      e_no_output_left: "按每年衰减 {pct}%，第 {year} 年光伏阵列已无出力；请减小运行年份或衰减率",
      e_no_site_data_irradiation: "站点“{site}”没有有出处的辐照数据；请填写逐月水平面总辐照量或逐时数据", e_no_site_data_coordinates: "站点“{site}”没有有出处的坐标；请填写位置（纬度、经度）",
      e_no_sunrise: "为 {got} {unit}，但纬度 {latitude}° 处 {month} 月太阳不升起",
      e_empty_file: "文件为空：需要模板的表头行",
      e_unknown_column: "第 {column} 列：“{got}”不是模板中的列；可用的表头请见模板",
      e_duplicate_column: "第 {columns} 列都对应 {got}；请只保留其中一列",
      e_no_columns: "表头行（第 1 行）没有模板中的列",
      e_invalid_csv: "第 {row} 行不是有效的 CSV：引号不成对，或出现在未加引号的单元格中",
      e_not_xlsx: "文件不是 XLSX 工作簿；请另存为 .xlsx（Excel 2007 及以上版本）或 CSV",
      e_unreadable_sheet: "无法读取工作簿的第一个工作表；请将数据放在第一个工作表中",
      e_xlsx_too_large: "工作簿解压后超过 {max}；请拆分为较小的文件",
      e_line_too_long: "第 {row} 行超过 {max}",
      e_unsupported_charset: "无法读取字符集 {got}；请将文件另存为 {allowed}",
      e_no_rows: "文件只有表头行，没有数据行",
      e_unreadable_file: "文件未能完整读取；请重新上传",
      e_too_many_rows: "文件超过 {max} 行，即本服务器单个文件的上限：请拆分为每个不超过 {max} 行的文件",
      e_too_many_bytes: "文件超过 {max}，即本服务器单个文件的上限：请拆分为较小的文件",
      e_too_many_bytes_sync: "文件大小为 {got}，而不超过 {rows} 行、立即计算的文件最大为 {max}：请拆分为较小的文件",
      e_bytes: "{n} 字节",
      jt_object: "对象", jt_array: "数组", jt_string: "文本", jt_boolean: "是或否", jt_number: "数值", jt_integer: "整数", jt_null: "空值",
      k_region: "地区", k_dataset: "数据集版本", k_site: "站点", k_product: "产品", k_alloy: "合金", k_organisation: "机构", k_declaration: "声明",
      k_technology: "技术", k_step: "工序", k_transport_mode: "运输方式", k_source_kind: "电源类型", k_uncertain_input: "不确定输入", k_alumina_route: "氧化铝工艺", k_gwp: "GWP 值集", k_pfc_method: "PFC 计算方法", k_mounting: "安装方式",
      tasks: "任务", taskPlant: "核算本厂碳足迹", taskPlantHint: "每吨铝的碳足迹、分阶段构成、CBAM 与 GB 21346 能耗等级",
      taskCompare: "比较光伏方案", taskCompareHint: "各光伏规模或绿电交易带来的变化及其成本",
      taskSupplier: "查询供应商", taskSupplierHint: "已发布、可核验的碳足迹声明，含 PACT、CBAM 与碳市场视图",
      plantLead: "页面打开时即按山西示例电解铝厂计算；修改下方任一输入后点击“计算碳足迹”。",
      inputsH: "输入", gradeWord: "等级", gradeOf: "/ 3 级", gradeLimit: "限定值（强制）", gradeBest: "最优等级",
      gradeNote: "1 级 ≤ {v} kWh/t", gradeOver: "超过限定值", defaultsUsed: "使用了 {n} 个默认值——请核对",
      defaultUsed: "使用了 1 个默认值——请核对", warningsNote: "本结果所用的数据集默认值与假设，为 API 的英文原文。",
      stageCaption: "分阶段——上条为基于位置法，下条为基于市场法 [{u_tco2e_t}]；图例为基于位置法",
      factorId: "因子", deltaT: "变化量（基于位置法）[{u_tco2e_t}]", deltaPct: "变化 %", avoided: "年减排量 [{u_tco2e_yr}]",
      costSize: "单位减排成本随光伏规模变化 [元/{u_tco2e}]——各方案为同一电站的不同规模，互为替代而非叠加",
      noResultsHint: "没有符合这些筛选条件的声明。", clearFilters: "清除筛选条件", declHeadlineNote: "采购方使用的数值（GHG Protocol 基于市场法）",
      stage: "阶段", declDetails: "标识、版本与内容哈希", datesInclusive: "日期含首尾两日",
      pdsExplain: "碳足迹中来自供应商自身实测数据（而非数据库二手因子）的比例。0 % 表示所有因子均为数据集默认值或公开平均值。",
      pcfExplain: "不含生物源排放的产品碳足迹，单位为每声明单位（1 kg 产品）的 kg CO2e，按 PACT v2 表述。",
      periodExplain: "PACT 以报告期结束后的第一个时刻（不含）表示期末；本页所有报告期均以首日和末日表示（含首尾）。",
      explain: "说明", uncLegend: "区间：相对基准变化量的 p5–p95——基准与各方案使用同一组 {n} 个样本（随机种子 {s}），共同的不确定输入相互抵消。基准行：基准自身的 p5–p95。",
      uncDrivers: "前三位影响因素", uncComputing: "计算中…", seeRef: "欧盟默认值 {v}", perTshort: "t",
      refMark: "CBAM 默认值（参考）", million: "百万", inp_ac: "交流电耗", inp_grid_ef: "电网排放因子",
      inp_nac: "阳极净碳耗", inp_pfc: "PFC 排放", inp_alumina: "氧化铝碳足迹", inp_anode_prod: "阳极生产",
      inp_captive: "自备电厂 {n} 排放因子", inp_pv: "厂内光伏 {n} 发电量", inp_metal: "原铝碳足迹", inp_melt: "熔损",
      baselinePrefix: "基准：", ofBase: "基准", changeKey: "柱：相对基准的变化（负值 = 碳足迹降低）；须线：该变化的 p5–p95。",
      band: "p5–p95 [{u_tco2e_t}]",
      navBatch: "批量计算", batchH: "批量计算：一个文件核算多个电解铝厂或产品",
      batchLead: "每行一个电解铝厂或产品：下载模板，填写后上传。每行结果与单次计算相同：200 行以内立即计算，更大的文件（最多 100,000 行）作为后台任务计算，并显示进度条。",
      batchKind: "每行核算", batchKindPrimary: "一个电解铝厂（原铝）", batchKindProduct: "一种铝产品（型材、板带、箔等）",
      downloadTemplate: "下载模板（XLSX）", templateCSV: "或下载 CSV 格式",
      templateHint: "表头为当前页面语言；XLSX 的第二个工作表逐列说明单位、取值范围及留空时采用的默认值。",
      batchFile: "批量文件（CSV 或 XLSX）",
      apiKeyHint: "批量计算需要发布方的 API 密钥。密钥仅保存在当前浏览器标签页，只在请求头中发送。",
      uploadBatch: "上传并计算", batchComputing: "正在上传并计算…", batchProgress: "后台任务：已完成 {done} / {total} 行",
      batchQueued: "后台任务排队中：共 {total} 行", cancelJob: "取消任务", batchCanceling: "正在取消…",
      batchJobDone: "后台任务已完成。", batchJobCanceled: "任务已取消：{total} 行中已计算 {done} 行，其结果见下表。",
      batchJobCanceledNone: "任务已取消，尚未计算任何行。", batchJobFailed: "后台任务失败：{detail}",
      batchJobLost: "无法跟踪后台任务：{detail}",
      batchShown: "下表显示 {rows} 行中的 {shown} 行：前 {limit} 行，其后只显示有错误的行。CSV 和 XLSX 包含全部行。",
      batchSummary: "共 {rows} 行：{computed} 行已计算，{failed} 行有错误", batchSummaryOK: "共 {rows} 行，全部已计算",
      batchRow: "行号", batchPlace: "地区、年份", batchStages: "分阶段（基于位置法）", batchShares: "可再生电力比例（基于位置法 / 基于市场法）",
      batchETSProcess: "全国碳市场：工序", batchETSEnterprise: "全国碳市场：企业层级",
      batchNote: "单位均为 {u_tco2e_t}。CSV 和 XLSX 为 API 对同一文件的原样结果（XLSX 含结果表和错误表）。",
      batchRowErr: "列“{column}”：{text}", batchWholeRow: "整行",
      downloadCSV: "下载结果（CSV）", downloadXLSX: "下载结果（XLSX）", downloaded: "已下载 {name}",
      bt_noFile: "请先选择 CSV 或 XLSX 文件。", bt_noKey: "请先填写 API 密钥。",
      bt_400: "无法按批量文件读取（API 原文：{detail}）", bt_file: "无法按批量文件读取：{text}",
      bt_401: "API 密钥无效：请填写发布方的密钥。",
      bt_413: "文件超过服务器的行数或大小限制（默认每个文件最多 100,000 行、64 MiB）：请拆分为较小的文件。API 原文：{detail}",
      bt_415: "不是批量文件：请上传 .csv 或 .xlsx 文件。", bt_429: "该 API 密钥请求过于频繁：请 {s} 秒后重试。",
      bt_503: "服务器繁忙：请稍后重试。", bt_failed: "上传失败：{detail}",
      cbamFileHint: "按欧盟委员会《设施 CBAM 数据通报模板》填写，数据取自本声明"
    }
  };
  let lang = "en";
  // t looks a key up in the page's language; a {u_…} in the text is a unit,
  // written as the glossary (glossary.json) gives it in that language.
  const t = (k) => {
    const s = (dict[lang] && dict[lang][k]) || dict.en[k] || k;
    return s.indexOf("{u_") < 0 ? s : s.replace(/\{(u_[a-z0-9_]+)\}/g, (m, u) => t(u));
  };

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
    relabelRows();
    fillRegions();
    if (lastPlant) renderPlant(lastPlant);
    if (lastScen) renderScenarios(lastScen);
    if (lastSweep) drawSweep(lastSweep);
    if (products.length) fillProducts();
    fillDatasets();
    refreshSiteSelects();
    document.querySelectorAll(".status[data-key]").forEach((n) => { n.textContent = t(n.dataset.key); });
    if (lastList) renderList();
    if (lastDecl) renderDecl();
    syncTemplateLinks();
    showBatchMsg();
    if (lastBatch) renderBatch();
    labelAllCells();
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
  // fmt shows a number with a fixed number of decimals (4 by default, the
  // tables' precision; the cards use 2) and thousands separators. Tonnes
  // (per t or per year, the China ETS's included) follow it; energy totals
  // (MWh, kWh, MWh/yr) are whole numbers everywhere (digits 0), an
  // intensity such as MWh/t follows the tables' 4 (glossary.json, README).
  function fmt(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return t("na");
    const d = digits === undefined ? 4 : digits;
    return Number(x).toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  // fmtRaw shows a factor as the dataset gives it (up to 6 decimals).
  const fmtRaw = (x) => (typeof x === "number" ? x.toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: 6 }) : String(x));
  const fill = (key, vars) => Object.entries(vars || {}).reduce((acc, [k, v]) => acc.split("{" + k + "}").join(v), t(key));
  const regionName = (code) => (dict.en["region_" + code] ? t("region_" + code) : code);
  // explained puts a term's explanation behind an (i) button: a tooltip on
  // hover, the text below it on a tap or click.
  // The explanation opens in a row below the term's row; the button's "i"
  // is drawn by CSS, so that the label cell's text stays the term.
  function explained(text, key) {
    const span = el("span", {}, text);
    const btn = el("button", { type: "button", class: "info", title: t(key), "aria-label": t("explain") + " " + text, "aria-expanded": "false" });
    btn.addEventListener("click", () => {
      const tr = btn.closest("tr"), next = tr.nextElementSibling;
      if (next && next.classList.contains("explain-row")) { next.remove(); btn.setAttribute("aria-expanded", "false"); return; }
      tr.after(el("tr", { class: "explain-row" }, el("td", { colspan: "2", class: "explain", text: t(key) })));
      btn.setAttribute("aria-expanded", "true");
    });
    span.append(btn);
    return span;
  }
  // labelCells copies each column's header into its cells (data-label), so
  // that a table shown as cards on a phone names every value.
  function labelCells(table) {
    const heads = Array.from(table.tHead ? table.tHead.rows[0].cells : [], (c) => c.textContent.trim());
    Array.from(table.tBodies[0].rows).forEach((tr) => {
      Array.from(tr.cells).forEach((c, i) => {
        if (c.tagName === "TD" && heads[i] && !c.hasAttribute("colspan")) c.dataset.label = heads[i];
      });
    });
  }
  const labelAllCells = () => document.querySelectorAll("table.cardify").forEach(labelCells);
  // Busy state: while an area's request runs its buttons are disabled and
  // its progress bar shows; editing the inputs re-enables them, so a newer
  // request can replace the running one.
  const BUSY = { plant: ["compute", "preset"], scen: ["compare"], sweep: ["run-sweep"], buy: ["search"], verify: ["verify"],
    batch: ["bt-upload"], btdl: ["bt-csv", "bt-xlsx"] };
  const PROGRESS = { plant: "plant-progress", scen: "scen-progress", sweep: "sweep-progress", buy: "buy-progress", verify: "verify-progress",
    batch: "bt-progress", btdl: "bt-dl-progress" };
  const busyAreas = {};
  function setBusy(area, on) {
    busyAreas[area] = on;
    BUSY[area].forEach((id) => { $(id).disabled = on; $(id).setAttribute("aria-busy", String(on)); });
    $(PROGRESS[area]).hidden = !on;
  }
  function unblock(area) {
    if (busyAreas[area]) BUSY[area].forEach((id) => { $(id).disabled = false; });
  }
  const pct = (x) => (x === null || x === undefined ? t("na") : fmt(x * 100, 1) + " %");
  // code translates an API code (status, NDRC level) when the dictionary
  // has it, else shows it as it is.
  const code = (prefix, v) => (dict.en[prefix + v] ? t(prefix + v) : v);
  const num = (v) => (v === "" || v === null || v === undefined ? undefined : Number(v));
  // kvRows fills a two-column table: [label, value, row attributes?]; a
  // value is a text or a node (a list of notes).
  function kvRows(tbody, rows) {
    tbody.replaceChildren(...rows.map(([k, v, attrs]) => el("tr", attrs || {}, k instanceof Node ? el("th", { scope: "row" }, k) : el("th", { scope: "row", text: k }),
      v instanceof Node ? el("td", {}, v) : el("td", { text: v }))));
  }
  const noteList = (items) => el("ul", {}, ...(items || []).map((x) => el("li", { text: x })));
  // setStatus shows a dictionary key (kept, so that a language switch
  // translates it) or a text as it is (an API error, a count).
  function setStatus(id, msg, isError) {
    const s = $(id);
    if (msg in dict.en) {
      s.dataset.key = msg;
      s.textContent = t(msg);
    } else {
      delete s.dataset.key;
      s.textContent = msg;
    }
    s.classList.toggle("error", !!isError);
  }
  // markStale dims results that a failed request left behind and says so.
  function markStale(id, stale) {
    const n = $(id);
    n.classList.toggle("stale", stale);
    if (stale) n.dataset.staleText = "⚠ " + t("stale"); else delete n.dataset.staleText;
  }
  // Each area's latest request wins: an answer to an older one is dropped.
  const seq = {};
  const nextSeq = (area) => (seq[area] = (seq[area] || 0) + 1);
  const isLatest = (area, n) => seq[area] === n;
  // apiFetch returns the parsed JSON or throws an Error whose message holds
  // the problem's detail and each field error (RFC 9457).
  async function apiFetch(path, body) {
    const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const res = await fetch(path, opts);
    const text = await res.text();
    let data = null;
    try { data = JSON.parse(text); } catch (_) { /* not JSON */ }
    if (!res.ok) {
      const fields = data && Array.isArray(data.errors) ? data.errors : [];
      const msg = fields.length ? fields.map((e) => (e.pointer || "") + ": " + e.detail).join("\n")
        : res.status + " " + ((data && (data.detail || data.title)) || text);
      const err = new Error(msg);
      err.fields = fields;
      throw err;
    }
    return data;
  }

  // ---- field errors: an API pointer → the input it came from -------------
  // labelOf names an input as the page does: its <label> text or aria-label.
  function labelOf(input) {
    if (input.labels && input.labels.length) {
      const span = input.labels[0].querySelector("span");
      return (span || input.labels[0]).textContent.trim();
    }
    return input.getAttribute("aria-label") || input.id;
  }
  const PLANT_FIELDS = {
    "/region": "p-region", "/year": "p-year", "/electricity_basis": "p-basis", "/production_t": "p-prod",
    "/dataset": "p-dataset", "/electrolysis/ac_kwh_per_t": "p-ac", "/electrolysis/liquid_ac_kwh_per_t": "p-liquid", "/electrolysis/technology": "p-tech", "/electrolysis/pfc": "p-pfc",
    "/electrolysis/pfc/method": "p-pfc", "/electrolysis/pfc/anode_effect_minutes_per_cell_day": "p-aem",
    "/electrolysis/pfc/anode_effect_overvoltage_mv": "p-aeo", "/electrolysis/pfc/current_efficiency": "p-ce",
    "/electrolysis/pfc/cf4_kg_per_t": "p-cf4", "/electrolysis/pfc/c2f6_kg_per_t": "p-c2f6",
    "/anode/net_carbon_t_per_t": "a-net", "/anode/consumption_t_per_t": "a-cons", "/anode/sulphur_fraction": "a-s",
    "/anode/ash_fraction": "a-ash", "/anode/produced_on_site": "a-onsite", "/anode/baking_energy_kgce_per_t": "a-bake", "/anode/baking_fuel": "a-fuel",
    "/electricity": "sources", "/electricity/sources": "sources", "/electricity/certificates_mwh": "p-certs"
  };
  // sourceCell picks the cell of a supply row that a pointer below a source
  // names (kind, amount, technology/fuel/site, EF, coal, tilt).
  function sourceCell(row, rest) {
    const f = rest.split("/")[1] || "";
    if (f === "pv") return row.querySelector(/tilt_deg/.test(rest) ? ".tilt" : /site/.test(rest) ? ".tech" : ".amount");
    const col = { kind: ".kind", share: ".amount", mwh: ".amount", technology: ".tech", fuel: ".tech", ef_tco2_per_mwh: ".ef", coal_gce_per_kwh: ".coal" }[f];
    return row.querySelector(col || ".amount");
  }
  // plantField resolves a pointer into a plant request to its input.
  function plantField(ptr) {
    const m = /^\/electricity\/sources\/(\d+)(\/.*)?$/.exec(ptr);
    if (m) {
      const row = $("sources").rows[Number(m[1])];
      return row ? sourceCell(row, m[2] || "") : null;
    }
    for (let p = ptr; p; p = p.slice(0, p.lastIndexOf("/"))) {
      if (PLANT_FIELDS[p]) return $(PLANT_FIELDS[p]);
    }
    return null;
  }
  // scenarioField resolves a pointer into a compare or sweep request (req
  // as sent) to its input: the scenario form, a variant row or the plant.
  function scenarioField(ptr, req) {
    const scen = { "/discount_rate": "s-rate", "/base/product": "s-kind", "/base/production_t": "s-prodt",
      "/base/direct_supply/molten_share": "s-molten", "/values": "w-max", "/range": "w-steps", "/parameter": "w-max" };
    if (req && req.kind === "product" && scen[ptr]) return $(scen[ptr]);
    if (scen[ptr] && !ptr.startsWith("/base/")) return $(scen[ptr]);
    const v = /^\/variants\/(\d+)(\/.*)?$/.exec(ptr);
    if (v) {
      const i = Number(v[1]), rest = v[2] || "", row = $("variants").rows[i];
      if (!row) return null;
      const fields = { "/capex_cny": ".capex", "/opex_cny_per_year": ".opex", "/name": ".name", "/lifetime_years": null };
      if (rest in fields) return fields[rest] ? row.querySelector(fields[rest]) : $("s-life");
      if (/molten_share/.test(rest)) return row.querySelector(".molten");
      const src = /electricity\/sources\/(\d+)(\/.*)?$/.exec(rest);
      // req.own[i] (not sent) says which of the variant's sources are its own
      // PV and contract, and which plant rows the rest came from.
      const own = req && req.own && req.own[i];
      if (src && own) {
        const j = Number(src[1]), sub = src[2] || "";
        if (own.pv && j === 0) return row.querySelector(/tilt_deg/.test(sub) ? ".tilt" : /site/.test(sub) ? ".site" : ".mwp");
        if (own.gc && j === (own.pv ? 1 : 0)) return row.querySelector(/technology/.test(sub) ? ".gctech" : ".gc");
        const k = own.baseRows[j - (own.pv ? 1 : 0) - (own.gc ? 1 : 0)];
        return k === undefined ? null : plantField("/electricity/sources/" + k + sub);
      }
      return row.querySelector(".name");
    }
    const base = ptr.replace(/^\/base(\/metal\/primary)?/, "");
    return plantField(base);
  }
  // showFieldErrors puts an API error in the status line with each field
  // named by its label, marks the inputs aria-invalid and focuses the first.
  // errorText words a field error by its code (out_of_range, not_allowed,
  // required, unknown_field, wrong_type, unknown_value, invalid_date,
  // shares_sum, no_factor, one_of_required, mutually_exclusive, requires,
  // together, not_used, too_long, wrong_count, before_start, duplicate,
  // not_omittable, not_in_route, invalid_period, not_multiple_of,
  // sum_exceeds, needs_dataset, must_match, invalid_epw, not_representable,
  // belongs_to_portfolio, unrepresentable_range, not_numeric,
  // invalid_pointer, draft_dataset, no_registry, wrong_kind, drives_work,
  // no_coefficient, sums_to_zero, no_output_left, no_site_data, no_sunrise,
  // invalid_format, and a batch file's empty_file, unknown_column,
  // duplicate_column, no_columns, invalid_csv, not_xlsx, unreadable_sheet,
  // xlsx_too_large, line_too_long, unsupported_charset, no_rows,
  // unreadable_file, too_many_rows, too_many_bytes)
  // in the page's language; the API's English
  // detail for a code it does not know (invalid: a rule with no code of its
  // own). A field named in params is shown by the plant form's label when it
  // has one, a kind by its label, anything else as the API names it.
  function fieldName(x) {
    const id = PLANT_FIELDS["/" + x];
    const input = id && $(id);
    return input && input.labels ? labelOf(input) : String(x);
  }
  function kindName(x) {
    return dict.en["k_" + x] ? t("k_" + x) : dict.en["tech_" + x] ? t("tech_" + x) : String(x);
  }
  function errorText(f) {
    const p = f.params || {};
    const n = (x) => (typeof x !== "number" ? String(x) : Number.isInteger(x) ? fmt(x, 0) : fmt(x, 4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""));
    const unit = p.unit ? " " + p.unit : "";
    // bytes words a size: in MiB or KiB when whole, else in bytes.
    const bytes = (x) => (typeof x !== "number" ? String(x) : x >= 1 << 20 && x % (1 << 20) === 0 ? n(x / (1 << 20)) + " MiB"
      : x >= 1 << 10 && x % (1 << 10) === 0 ? n(x / (1 << 10)) + " KiB" : fill("e_bytes", { n: n(x) }));
    if (f.code === "out_of_range") {
      const key = p.exclusive_min ? ("max" in p ? "e_out_of_range_excl" : "e_out_of_range_excl_min")
        : "min" in p && "max" in p ? "e_out_of_range" : "min" in p ? "e_out_of_range_min" : "e_out_of_range_max";
      return fill(key, { min: n(p.min), max: n(p.max), unit: unit, got: n(p.got) });
    }
    if (f.code === "not_allowed") return fill("e_not_allowed", { allowed: (p.allowed || []).join(", "), got: String(p.got) });
    const list = (xs) => (xs || []).join(lang === "zh" ? "、" : ", ");
    switch (f.code) {
      case "required": return t("e_required");
      case "unknown_field": return fill("e_unknown_field", { allowed: list(p.allowed), got: String(p.got) });
      case "wrong_type": if (!dict.en["jt_" + p.expected] || !dict.en["jt_" + p.got]) break;
        return fill("e_wrong_type", { expected: t("jt_" + p.expected), got: t("jt_" + p.got) });
      case "unknown_value": if (!dict.en["k_" + p.kind]) break;
        return fill(p.allowed ? "e_unknown_value_allowed" : "e_unknown_value", { kind: t("k_" + p.kind), got: String(p.got), allowed: list(p.allowed) });
      case "invalid_date": return fill("e_invalid_date", { got: String(p.got) });
      case "shares_sum": return fill("e_shares_sum", { sum: n(p.sum) });
      case "no_factor": return fill("e_no_factor", { region: regionName(p.region), year: p.year ? fill("e_no_factor_year", { year: String(p.year) }) : "" });
      case "one_of_required": case "mutually_exclusive": case "together": return fill("e_" + f.code, { fields: list((p.fields || []).map(fieldName)) });
      case "requires": return fill("e_requires", { fields: (p.fields || []).map(fieldName).join(t("e_or")) });
      case "not_used": if (p.used_by) return fill("e_not_used", { used_by: (p.used_by || []).map(kindName).join(t("e_or")) });
        if (p.distribution) return fill("e_not_used_dist", { distribution: String(p.distribution) });
        break;
      case "too_long": return fill("e_too_long", { max: n(p.max), got: n(p.got) });
      case "wrong_count": return fill("min" in p && p.min === p.max ? "e_wrong_count_exact" : "min" in p ? "e_wrong_count" : "e_wrong_count_max", { min: n(p.min), max: n(p.max), got: n(p.got) });
      case "before_start": return fill("e_before_start", { start: String(p.start) });
      case "duplicate": return fill("e_duplicate", { got: String(p.got) });
      case "not_omittable": return fill("e_not_omittable", { step: String(p.step) });
      case "invalid_period": return fill("e_invalid_period", { got: String(p.got) });
      case "not_multiple_of": return fill("e_not_multiple_of", { step: n(p.step), unit: unit, got: n(p.got) });
      case "sum_exceeds": return fill("e_sum_exceeds", { max: n(p.max), sum: n(p.sum) });
      case "needs_dataset": return fill("e_needs_dataset", { from: String(p.from), dataset: String(p.dataset) });
      case "must_match": return fill("e_must_match", { want: String(p.want), got: String(p.got) });
      case "invalid_format": return fill("e_invalid_format", { format: ["email", "phone", "unlocode"].includes(p.format) ? t("e_format_" + p.format) : String(p.format), got: String(p.got) });
      case "not_in_route": return fill("e_not_in_route", { step: String(p.step), product: String(p.product), route: list(p.route) });
      case "invalid_epw": if ("min" in p) return fill("e_invalid_epw_range", { line: n(p.line), field: n(p.field), min: n(p.min), max: n(p.max), got: n(p.got), unit: unit });
        return fill("e_invalid_epw", { line: n(p.line), field: "field" in p ? fill("e_invalid_epw_field", { field: n(p.field) }) : "" });
      case "not_representable": return fill(p.expected === "integer" ? "e_not_representable_integer" : "e_not_representable", { got: String(p.got) });
      case "belongs_to_portfolio": return fill("e_belongs_to_portfolio", { want: String(p.want) });
      case "unrepresentable_range": return fill("e_unrepresentable_range", { from: String(p.from), to: String(p.to), steps: n(p.steps) });
      case "not_numeric": return fill("e_not_numeric", { parameter: String(p.parameter) });
      case "invalid_pointer": {
        const key = "e_invalid_pointer_" + p.reason + ("length" in p ? "_length" : "");
        if (!dict.en[key]) break;
        return fill(key, { got: String(p.got), at: p.at ? String(p.at) : t("e_top_level"), allowed: list(p.allowed), token: String(p.token), length: n(p.length) });
      }
      case "draft_dataset": return fill("e_draft_dataset", { dataset: String(p.dataset), released: list(p.released) });
      case "no_registry": return t("e_no_registry");
      case "wrong_kind": if (!dict.en["e_decl_" + p.want] || !dict.en["e_decl_" + p.got]) break;
        return fill("e_wrong_kind", { want: t("e_decl_" + p.want), got: t("e_decl_" + p.got) });
      case "drives_work": return fill("e_drives_work", { units: n(p.units) });
      case "no_coefficient": if (p.method !== "overvoltage") break;
        return fill("e_no_coefficient", { technology: dict.en["cell_" + p.technology] ? t("cell_" + p.technology) : String(p.technology) });
      case "sums_to_zero": return t("e_sums_to_zero");
      case "no_output_left": return fill("e_no_output_left", { pct: n(p.pct_per_year), year: n(p.year) });
      case "no_site_data": if (p.data !== "irradiation" && p.data !== "coordinates") break;
        return fill("e_no_site_data_" + p.data, { site: String(p.site) });
      case "no_sunrise": return fill("e_no_sunrise", { got: n(p.got), unit: String(p.unit || ""), latitude: n(p.latitude), month: n(p.month) });
      // A batch file refused as a whole (pointer "", the file).
      case "empty_file": case "no_columns": case "not_xlsx": case "unreadable_sheet": case "no_rows": case "unreadable_file": return t("e_" + f.code);
      case "unknown_column": return fill("e_unknown_column", { column: String(p.column), got: String(p.got) });
      case "duplicate_column": return fill("e_duplicate_column", { columns: list(p.columns), got: String(p.got) });
      case "invalid_csv": return fill("e_invalid_csv", { row: n(p.row) });
      case "xlsx_too_large": return fill("e_xlsx_too_large", { max: bytes(p.max) });
      case "line_too_long": return fill("e_line_too_long", { row: n(p.row), max: bytes(p.max) });
      case "unsupported_charset": return fill("e_unsupported_charset", { got: String(p.got), allowed: (p.allowed || []).map((c) => String(c).toUpperCase()).join(t("e_or")) });
      case "too_many_rows": return fill("e_too_many_rows", { max: n(p.max) });
      case "too_many_bytes": return "got" in p ? fill("e_too_many_bytes_sync", { got: bytes(p.got), rows: n(p.sync_rows), max: bytes(p.max) })
        : fill("e_too_many_bytes", { max: bytes(p.max) });
    }
    return f.detail;
  }
  function showFieldErrors(statusId, e, resolve) {
    document.querySelectorAll("[aria-invalid=true]").forEach((n) => n.removeAttribute("aria-invalid"));
    if (!e.fields || !e.fields.length) { setStatus(statusId, e.message, true); return; }
    const inputs = [];
    const lines = e.fields.map((f) => {
      const input = resolve(f.pointer || "");
      if (input && input.getAttribute) {
        if (input.tagName === "TBODY") return t("portfolio") + ": " + errorText(f);
        input.setAttribute("aria-invalid", "true");
        inputs.push(input);
        return labelOf(input) + ": " + errorText(f);
      }
      return (f.pointer || "") + ": " + errorText(f);
    });
    setStatus(statusId, lines.join("\n"), true);
    if (inputs.length) inputs[0].focus();
  }
  function curlFor(path, body) {
    const json = JSON.stringify(body).replace(/'/g, "'\\''");
    return "curl -s " + location.origin + path + " -H 'Content-Type: application/json' -d '" + json + "'";
  }
  async function copyText(text, statusId) {
    try {
      await navigator.clipboard.writeText(text);
      setStatus(statusId, "copied");
    } catch (_) {
      setStatus(statusId, "copyFailed", true);
    }
    let pre = $(statusId + "-curl");
    if (!pre) {
      pre = el("pre", { id: statusId + "-curl", class: "curl", tabindex: "0" });
      const host = $(statusId).closest("form") || $(statusId).parentElement;
      host.after(pre);
    }
    pre.textContent = text;
  }

  // ---- plant form -------------------------------------------------------
  // The dataset list (GET /v1/datasets): "" asks for the API's default, the
  // newest released version; a draft is used only when chosen. The hint
  // names the drafts listed, if any.
  let datasets = null;
  function fillDatasets() {
    if (!datasets) return;
    const sel = $("p-dataset");
    fillSelect(sel, [["", t("dsDefault") + " (" + datasets.default + ")"]]
      .concat(datasets.datasets.map((d) => [d.version, d.version + " — " + code("ds_", d.status)])), selValue(sel));
    const drafts = datasets.datasets.filter((d) => d.status === "draft").map((d) => d.version);
    $("p-dataset-hint").textContent = t("dsHint") + (drafts.length ? " " + t("dsHintDraft").replace("{v}", drafts.join(", ")) : "");
  }
  // setDataset selects a version; one not listed yet (a shared link read
  // before GET /v1/datasets answers) waits in data-pending.
  function setDataset(v) {
    const sel = $("p-dataset");
    delete sel.dataset.pending;
    if (Array.from(sel.options).some((o) => o.value === v)) sel.value = v;
    else { sel.value = ""; sel.dataset.pending = v; }
  }
  async function loadDatasets() {
    try {
      datasets = await apiFetch("/v1/datasets");
      fillDatasets();
    } catch (e) {
      setStatus("plant-status", e.message, true);
    }
  }
  const KINDS = ["grid", "captive", "onsite_pv", "direct_line", "green_contract"];
  const TECHS = ["", "coal", "gas", "hydro", "nuclear", "wind", "solar", "csp", "biomass"];
  let sites = []; // from GET /v1/solar-sites, usable ones only

  function techOptions(kind) {
    if (kind === "captive") return ["coal", "gas"].map((v) => [v, t("tech_" + v)]);
    if (kind === "onsite_pv") return (sites.length ? sites : [{ id: "taiyuan", name_en: "Taiyuan", name_zh: "太原" }])
      .map((s) => [s.id, lang === "zh" ? s.name_zh : s.name_en]);
    if (kind === "grid") return [["", "—"]];
    return TECHS.map((v) => [v, v ? t("tech_" + v) : "—"]);
  }
  const unitOptions = (kind) => (kind === "onsite_pv" ? [["mwp", "MWp"]] : [["share", t("u_share")], ["mwh", "MWh"]]);
  // relabelRows names each input of the supply and variant rows by its
  // column and row number ("Amount 2"), after a row comes or goes and when
  // the language changes.
  const ROW_LABELS = {
    sources: { kind: "kind", amount: "amount", unit: "amountUnit", tech: "fuelTech", ef: "ef", coal: "coalCol", tilt: "tiltPV" },
    variants: { name: "name", mwp: "pvMWp", site: "site", tilt: "tilt", gc: "gcMWh", gctech: "gcTech", molten: "molten", capex: "capex", opex: "opex" }
  };
  function relabelRows() {
    for (const [id, cols] of Object.entries(ROW_LABELS)) {
      Array.from($(id).rows).forEach((tr, r) => {
        for (const [cls, key] of Object.entries(cols)) {
          const n = tr.querySelector("." + cls);
          if (n) n.setAttribute("aria-label", t(key) + " " + (r + 1));
        }
        tr.querySelector("button.rm").setAttribute("aria-label", t("removeRow") + " " + (r + 1));
      });
      labelCells($(id).closest("table"));
    }
  }
  // fillSelect sets the options and selects value; a value not among them
  // (a PV site from a shared link, before GET /v1/solar-sites answers) is
  // kept in data-pending and applied by the next fill that offers it.
  function fillSelect(sel, pairs, value) {
    sel.replaceChildren(...pairs.map(([v, label]) => el("option", { value: v, text: label })));
    if (value === undefined || value === null) return;
    if (pairs.some(([v]) => v === value)) {
      sel.value = value;
      delete sel.dataset.pending;
    } else if (value !== "") {
      sel.dataset.pending = value;
    }
  }
  // selValue is a select's value, or the value it waits to show.
  const selValue = (sel) => sel.dataset.pending || sel.value;
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
    const coal = el("input", { class: "coal", type: "number", min: "200", max: "600", step: "any", "aria-label": t("coalCol") + " " + n, value: src.coal ?? "" });
    const tilt = el("input", { class: "tilt", type: "number", min: "0", max: "90", step: "any", "aria-label": t("tiltPV") + " " + n, value: src.tilt ?? "" });
    const rm = el("button", { type: "button", class: "rm", "aria-label": t("removeRow") }, "×");
    const sync = (first) => {
      const k = kind.value;
      fillSelect(unit, unitOptions(k), first ? src.unit : unit.value);
      fillSelect(tech, techOptions(k), first ? src.tech : selValue(tech));
      ef.disabled = k === "onsite_pv";
      tilt.disabled = k !== "onsite_pv";
      coal.disabled = k !== "captive";
    };
    sync(true);
    kind.addEventListener("change", () => { sync(false); saveHash(); });
    rm.addEventListener("click", () => { tr.remove(); relabelRows(); saveHash(); $("add-source").focus(); });
    const tr = el("tr", {}, el("td", {}, kind), el("td", {}, amount), el("td", {}, unit), el("td", {}, tech), el("td", {}, ef), el("td", {}, coal), el("td", {}, tilt), el("td", {}, rm));
    $("sources").append(tr);
    relabelRows();
    return tr;
  }
  function readSources() {
    return Array.from($("sources").rows).map((tr) => ({
      kind: tr.querySelector(".kind").value, amount: tr.querySelector(".amount").value,
      unit: tr.querySelector(".unit").value, tech: selValue(tr.querySelector(".tech")), ef: tr.querySelector(".ef").value,
      tilt: tr.querySelector(".tilt").value, coal: tr.querySelector(".coal").value
    }));
  }
  function readPlant() {
    return {
      dataset: selValue($("p-dataset")), liquid: $("p-liquid").value,
      region: $("p-region").value.trim(), year: $("p-year").value, basis: $("p-basis").value, production_t: $("p-prod").value,
      ac: $("p-ac").value, tech: $("p-tech").value, pfc: $("p-pfc").value, aem: $("p-aem").value, certs: $("p-certs").value, sources: readSources(),
      aeo: $("p-aeo").value, ce: $("p-ce").value, cf4: $("p-cf4").value, c2f6: $("p-c2f6").value,
      anode: { net: $("a-net").value, cons: $("a-cons").value, s: $("a-s").value, ash: $("a-ash").value, bake: $("a-bake").value, fuel: $("a-fuel").value,
        onsite: $("a-onsite").value }
    };
  }
  function writePlant(s) {
    if (s.dataset !== undefined) setDataset(s.dataset); // the preset keeps the dataset chosen
    $("p-liquid").value = s.liquid ?? "";
    $("p-region").value = s.region ?? "";
    $("p-year").value = s.year ?? "";
    $("p-basis").value = s.basis || "lifecycle";
    $("p-prod").value = s.production_t ?? "";
    $("p-ac").value = s.ac ?? "";
    $("p-tech").value = s.tech ?? "";
    $("p-pfc").value = s.pfc ?? "";
    $("p-aem").value = s.aem ?? "";
    $("p-certs").value = s.certs ?? "";
    $("p-aeo").value = s.aeo ?? "";
    $("p-ce").value = s.ce ?? "";
    $("p-cf4").value = s.cf4 ?? "";
    $("p-c2f6").value = s.c2f6 ?? "";
    const a = s.anode || {};
    [["a-net", "net"], ["a-cons", "cons"], ["a-s", "s"], ["a-ash", "ash"], ["a-bake", "bake"], ["a-fuel", "fuel"], ["a-onsite", "onsite"]].forEach(([id, k]) => { $(id).value = a[k] ?? ""; });
    $("sources").replaceChildren();
    (s.sources || []).forEach(addSourceRow);
  }
  // sourceRequest turns one editor row into the API's source object.
  function sourceRequest(r) {
    const out = { kind: r.kind };
    if (r.kind === "onsite_pv") {
      out.pv = { site: r.tech || "taiyuan", system: { capacity_kwp: (num(r.amount) || 0) * 1000 } };
      if (r.tilt !== "" && r.tilt !== undefined) out.pv.system.tilt_deg = num(r.tilt);
      return out;
    }
    if (r.amount !== "") out[r.unit === "mwh" ? "mwh" : "share"] = num(r.amount);
    if (r.tech) out[r.kind === "captive" ? "fuel" : "technology"] = r.tech;
    if (r.ef !== "") out.ef_tco2_per_mwh = num(r.ef);
    if (r.kind === "captive" && r.coal !== "" && r.coal !== undefined) out.coal_gce_per_kwh = num(r.coal);
    return out;
  }
  // plantRequest builds the body of POST /v1/footprints/primary; empty
  // fields are left out so the API's defaults apply (and are listed).
  function plantRequest(s) {
    const req = {};
    if (s.dataset) req.dataset = s.dataset;
    if (s.region) req.region = s.region;
    if (s.year !== "") req.year = num(s.year);
    if (s.basis) req.electricity_basis = s.basis;
    if (s.production_t !== "") req.production_t = num(s.production_t);
    const lysis = {};
    if (s.tech) lysis.technology = s.tech;
    if (s.ac !== "") lysis.ac_kwh_per_t = num(s.ac);
    if (s.liquid !== "" && s.liquid !== undefined) lysis.liquid_ac_kwh_per_t = num(s.liquid);
    const pfc = {};
    if (s.pfc) pfc.method = s.pfc;
    if (s.aem !== "") pfc.anode_effect_minutes_per_cell_day = num(s.aem);
    const opt = (v) => (v === "" || v === undefined ? undefined : num(v));
    const put = (obj, key, v) => { if (v !== undefined) obj[key] = v; };
    put(pfc, "anode_effect_overvoltage_mv", opt(s.aeo));
    put(pfc, "current_efficiency", opt(s.ce));
    put(pfc, "cf4_kg_per_t", opt(s.cf4));
    put(pfc, "c2f6_kg_per_t", opt(s.c2f6));
    const a = s.anode || {}, anode = {};
    put(anode, "net_carbon_t_per_t", opt(a.net));
    put(anode, "consumption_t_per_t", opt(a.cons));
    put(anode, "sulphur_fraction", opt(a.s));
    put(anode, "ash_fraction", opt(a.ash));
    put(anode, "baking_energy_kgce_per_t", opt(a.bake));
    if (a.fuel) anode.baking_fuel = a.fuel;
    if (a.onsite === "true" || a.onsite === "false") anode.produced_on_site = a.onsite === "true";
    if (Object.keys(anode).length) req.anode = anode;
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

  // ---- shareable URL: the inputs as #s=<base64url JSON> -------------------
  // The state is {p: plant form, s: scenario form}; links made before the
  // scenario form was saved hold the plant form alone.
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
    history.replaceState(null, "", "#s=" + encodeState({ p: readPlant(), s: readScen() }));
  }
  function loadHash() {
    const m = /^#s=([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (!m) return false;
    try {
      const st = decodeState(m[1]);
      writePlant(st.p || st);
      if (st.s) writeScen(st.s);
      return true;
    } catch (_) { return false; }
  }

  // ---- plant results ------------------------------------------------------
  let lastPlant = null;
  const STAGE_COLORS = { alumina_refining: "#8c6d31", anode_production: "#555", electrolysis_direct: "#c0392b",
    electrolysis_electricity: "#1f6fb2", casting: "#2e8b57" };

  async function computePlant() {
    const body = plantRequest(readPlant());
    const n = nextSeq("plant");
    saveHash();
    setStatus("plant-status", "computing");
    setBusy("plant", true);
    $("plant-out").setAttribute("aria-busy", "true");
    try {
      const res = await apiFetch("/v1/footprints/primary", body);
      if (!isLatest("plant", n)) return;
      lastPlant = res;
      renderPlant(res);
      markStale("plant-out", false);
      setStatus("plant-status", "done");
    } catch (e) {
      if (!isLatest("plant", n)) return;
      markStale("plant-out", true); // the results shown are the previous request's
      showFieldErrors("plant-status", e, plantField);
    } finally {
      if (isLatest("plant", n)) { setBusy("plant", false); $("plant-out").setAttribute("aria-busy", "false"); }
    }
  }
  function renderPlant(r) {
    $("plant-out").hidden = false;
    const tot = r.total_tco2e_per_t;
    $("o-loc").textContent = fmt(tot.location_based, 2);
    $("o-mkt").textContent = fmt(tot.market_based, 2);
    $("plant-mini").textContent = t("locTotal") + " " + fmt(tot.location_based, 2) + " · " + t("mktTotal") + " " + fmt(tot.market_based, 2) + " " + t("u_tco2e_t");
    const basis = r.electricity_basis === "lifecycle" ? "basisLife" : "basisOp";
    $("o-loc-note").textContent = t("basis") + ": " + t(basis);
    $("o-mkt-note").textContent = t("basis") + ": " + t(basis);
    renderGrade(r);
    const c = r.cbam || {};
    $("o-see").textContent = fmt(c.see_direct_tco2e_per_t, 2);
    refBar($("o-see-ref"), c.see_direct_tco2e_per_t, c.default_value_tco2e_per_t);
    const w = (r.provenance && r.provenance.warnings) || [];
    $("warnings").hidden = !w.length;
    $("warnings-sum").textContent = w.length === 1 ? t("defaultUsed") : fill("defaultsUsed", { n: String(w.length) });
    const codes = (r.provenance && r.provenance.warning_codes) || [];
    const worded = w.map((x, i) => wordWarning(codes[i], x));
    $("warnings-note").textContent = worded.every((x) => x.byCode) ? "" : t("warningsNote");
    $("warnings-list").replaceChildren(...worded.map((x) => el("li", { text: x.text, "data-code": x.code || "" })));
    $("stage-caption").textContent = t("stageCaption");
    stageChart($("stage-chart"), $("stage-legend"), r.stages);
    const rs = (r.electricity && r.electricity.renewable_share) || {};
    kvRows($("o-shares"), [[t("shareLoc"), pct(rs.location_based)], [t("shareMkt"), pct(rs.market_based)],
      [t("shareHourly"), pct(rs.hourly_matched)]]);
    kvRows($("o-cbam"), cbamRows(r.cbam || {}));
    renderETS(r.ets);
    const f = (r.provenance && r.provenance.factors) || [];
    $("prov-count").textContent = String(f.length);
    $("o-prov").replaceChildren(...f.map((x) => el("tr", {}, el("td", { class: "id", text: x.id }), el("td", { class: "n", text: fmtRaw(x.value) }),
      el("td", { text: x.unit }), el("td", { text: x.source }), el("td", { text: x.confidence }))));
    labelAllCells();
    keepTaskInView();
  }
  // wordWarning words a warning by its code in the page's language and
  // labels, with 1-based supply rows; the API's English text when the page
  // has no words for the code (or the answer no code).
  function wordWarning(c, english) {
    if (!c || !dict.en["w_" + c.code]) return { text: english, byCode: false };
    const p = Object.assign({}, c.params || {});
    const vars = {};
    for (const [k, v] of Object.entries(p)) {
      if (k === "source") vars.row = String(v + 1);
      else if (k === "fuel" || k === "technology") vars[k] = dict.en["tech_" + v] ? t("tech_" + v) : String(v);
      else if (k === "region") vars[k] = regionName(v);
      else if (k === "method") vars[k] = dict.en["m_" + v] ? t("m_" + v) : String(v);
      else if (typeof v === "number") vars[k] = /year/.test(k) ? String(v) : fmt(v, Number.isInteger(v) ? 0 : v < 10 ? 2 : 0);
      else vars[k] = String(v);
    }
    return { text: (p.scope === "primary_metal" ? t("w_primary_prefix") : "") + fill("w_" + c.code, vars), byCode: true, code: c.code };
  }
  // renderGrade: "Grade 3 of 3 — the mandatory limit; grade 1 ≤ 12,950 kWh/t",
  // the thresholds read from the answer's provenance (gb21346/<indicator>/gradeN).
  function renderGrade(r) {
    const g = r.ratings;
    $("o-grade").textContent = g ? String(g.gb21346_ac_grade) : t("na");
    $("o-grade-of").textContent = g ? t("gradeOf") : "";
    $("o-ndrc").textContent = g ? ratingsLine(g) : "";
    if (!g) { $("o-grade-note").textContent = ""; return; }
    const ind = g.indicator || "liquid_ac";
    const limit = (n) => ((r.provenance && r.provenance.factors) || []).find((f) => f.id === "gb21346/" + ind + "/grade" + n);
    const g1 = limit(1), grade = g.gb21346_ac_grade;
    const what = grade === 3 ? t("gradeLimit") : grade === 1 ? t("gradeBest") : grade > 3 || grade === 0 ? t("gradeOver") : "";
    $("o-grade-note").textContent = [what, g1 ? fill("gradeNote", { v: fmt(g1.value, 0) }) : ""].filter(Boolean).join("; ");
  }
  // refBar draws a value against a reference (the CBAM default) as a bar
  // with a mark and the reference's label.
  function refBar(box, v, ref) {
    if (typeof v !== "number" || typeof ref !== "number" || ref <= 0) { box.replaceChildren(); return; }
    const max = Math.max(v, ref) * 1.15, pos = (x) => (100 * x / max).toFixed(1) + "%";
    const fillBar = el("div", { class: "fill" });
    fillBar.style.width = pos(v);
    const mark = el("div", { class: "mark", title: t("refMark") });
    mark.style.left = pos(ref);
    const label = el("span", { class: "mark-label", text: fill("seeRef", { v: fmt(ref, 2) }) });
    label.style.left = pos(ref);
    box.replaceChildren(fillBar, mark, label);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", t("seeDirect") + " " + fmt(v, 2) + " / " + fill("seeRef", { v: fmt(ref, 2) }));
  }
  // ratingsLine: the NDRC level and the GB 21346 indicator graded, with its
  // value (the comprehensive AC power from 2026.2 unless the liquid AC is given).
  function ratingsLine(g) {
    const line = t("ndrc") + ": " + code("ndrc_", g.ndrc_level);
    if (!g.indicator) return line + " · " + fmt(g.ac_kwh_per_t, 0) + " kWh/t";
    return line + " · " + t("graded") + ": " + code("ind_", g.indicator) + " " + fmt(g.graded_kwh_per_t ?? g.ac_kwh_per_t, 0) + " kWh/t";
  }
  const perT = (x) => fmt(x) + " " + t("u_tco2e_t");
  const yesNo = (b) => (b ? t("yes") : t("no"));
  // cbamRows is the CBAM table: the totals, the split of the direct
  // emissions, and the rules behind them. Rows whose field the dataset's
  // rules do not give (2026.1) are left out; an unverifiable PFC figure is
  // flagged in words and colour.
  function cbamRows(c) {
    const rows = [[t("cnCode"), c.cn_code || t("na")]];
    if (c.rules) rows.push([t("cbamRules"), code("rules_", c.rules)]);
    if (c.anodes_on_site !== undefined) rows.push([t("anodeOnSite"), yesNo(c.anodes_on_site)]);
    rows.push([t("seeDirect"), perT(c.see_direct_tco2e_per_t)]);
    [["cbamAnodeCO2", c.anode_co2_tco2_per_t, " " + t("u_tco2_t")], ["cbamPFC", c.pfc_tco2e_per_t, " " + t("u_tco2e_t")],
      ["cbamCasting", c.casting_fuel_tco2_per_t, " " + t("u_tco2_t")], ["cbamAnodePlant", c.anode_production_tco2_per_t, " " + t("u_tco2_t")]]
      .forEach(([k, v, unit]) => { if (v !== undefined) rows.push([t(k), fmt(v) + unit]); });
    if (c.pfc_method) rows.push([t("pfcMethod"), code("m_", c.pfc_method)]);
    if (c.pfc_verifiable !== undefined) {
      rows.push(c.pfc_verifiable ? [t("pfcVerifiable"), t("yes")] : [t("pfcVerifiable"), "⚠ " + t("pfcNotVerifiable"), { class: "flag" }]);
    }
    rows.push([t("seeIndirect"), perT(c.see_indirect_tco2e_per_t)]);
    if (c.indirect_rule) rows.push([t("indirectRule"), c.indirect_rule]);
    if (c.portfolio_see_indirect_tco2e_per_t !== undefined) {
      rows.push([t("portfolioIndirect"), perT(c.portfolio_see_indirect_tco2e_per_t) + " (" + t("efShort") + " " + fmt(c.portfolio_electricity_ef_tco2_per_mwh) + " " + t("u_tco2_mwh") + ")"]);
    }
    rows.push([t("obligation"), perT(c.obligation_tco2e_per_t)], [t("cbamDefault"), perT(c.default_value_tco2e_per_t)]);
    if (c.notes && c.notes.length) rows.push([t("notes"), noteList(c.notes)]);
    return rows;
  }
  // etsRows is the China ETS view per t of liquid aluminium (and per year
  // when the production is known).
  function etsRows(e) {
    const rows = [[t("etsGuideline"), e.guideline], [t("etsAnode"), fmt(e.anode_co2_tco2_per_t) + " " + t("u_tco2_t")],
      [t("etsPFC"), perT(e.pfc_tco2e_per_t) + " (" + fmt(e.cf4_kg_per_t) + " / " + fmt(e.c2f6_kg_per_t) + " kg/t)"],
      [t("pfcMethod"), e.pfc_method], [t("etsProcess"), perT(e.process_tco2e_per_t)],
      [t("etsCasting"), fmt(e.casting_fuel_tco2_per_t) + " " + t("u_tco2_t")], [t("etsEnterprise"), perT(e.enterprise_tco2e_per_t)],
      [t("etsPurchased"), fmt(e.purchased_electricity_mwh_per_t) + " MWh/t"]];
    const a = e.annual;
    if (a) {
      rows.push([t("etsAnnualProcess"), fmt(a.process_tco2e) + " " + t("tPerYrCO2e")], [t("etsAnnualEnterprise"), fmt(a.enterprise_tco2e) + " " + t("tPerYrCO2e")],
        [t("etsThreshold"), fmt(a.threshold_tco2e) + " " + t("tPerYrCO2e")], [t("etsKeyEmitter"), yesNo(a.key_emitter)]);
    }
    return rows;
  }
  // renderETS shows the China ETS block when the answer has one (dataset
  // 2026.2 on) and hides it otherwise.
  function renderETS(e) {
    $("o-ets").hidden = !e;
    if (!e) return;
    kvRows($("o-ets-kv"), etsRows(e));
    const nul = (v, f, empty) => (v === null || v === undefined ? empty : f(v));
    $("o-ets-alloc").replaceChildren(...(e.allocation || []).map((y) => el("tr", {}, el("th", { scope: "row", text: String(y.year) }),
      el("td", { text: y.method }), el("td", { class: "n benchmark", text: nul(y.benchmark_tco2e_per_t, (v) => fmt(v), t("notPublished")) }),
      el("td", { class: "n allowances", text: nul(y.allowances_tco2e, (v) => fmt(v), t("na")) }),
      el("td", { class: "n balance", text: nul(y.balance_tco2e, (v) => fmt(v), t("na")) }), el("td", { text: y.note || "" }))));
    $("o-ets-notes").replaceChildren(...(e.notes || []).map((x) => el("li", { text: x })));
  }
  // stageChart draws two horizontal stacked bars (location- and market-based)
  // split by stage, as SVG with a text legend.
  function stageChart(box, legend, stages) {
    const W = Math.max(280, box.clientWidth || 600), H = 120, left = 110, right = 60, barH = 30; // right: room for the total
    const totals = [0, 0];
    stages.forEach((s) => { totals[0] += Math.max(0, s.tco2e_per_t); totals[1] += Math.max(0, s.market_based_tco2e_per_t); });
    const max = Math.max(totals[0], totals[1]) || 1;
    const sx = (v) => (v / max) * (W - left - right);
    const svg = sv("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", class: "stage-svg",
      "aria-label": t("byStage") + ": " + t("locTotal") + " " + fmt(totals[0], 3) + ", " + t("mktTotal") + " " + fmt(totals[1], 3) + " " + t("u_tco2e_t") });
    [["tco2e_per_t", t("locTotal")], ["market_based_tco2e_per_t", t("mktTotal")]].forEach(([key, label], i) => {
      const y = 15 + i * (barH + 20);
      svg.append(sv("text", { x: 0, y: y + barH / 2 + 4, class: "lbl" }, label));
      let x = left;
      stages.forEach((s) => {
        const v = Math.max(0, s[key]);
        const rect = sv("rect", { x: x, y: y, width: v > 0 ? Math.max(2, sx(v)) : 0, height: barH, fill: STAGE_COLORS[s.stage] || "#999", "data-series": s.stage });
        rect.append(sv("title", {}, t("s_" + s.stage) + ": " + fmt(s[key], 4) + " " + t("u_tco2e_t")));
        svg.append(rect);
        x += v > 0 ? Math.max(2, sx(v)) : 0;
      });
      svg.append(sv("text", { x: x + 4, y: y + barH / 2 + 4, class: "lbl" }, fmt(i === 0 ? totals[0] : totals[1], 2)));
    });
    box.replaceChildren(svg);
    // "Electricity 9.04 t · 71 %": each stage's location-based value and share.
    legend.replaceChildren(...stages.map((s) => el("li", { class: "key key-" + s.stage, "data-stage": s.stage, title: t("mktTotal") + " " + fmt(s.market_based_tco2e_per_t, 2) + " t" },
      t("s_" + s.stage) + " " + fmt(s.tco2e_per_t, 2) + " " + t("perTshort") + " · ", el("span", { class: "pct", text: fmt((s.share ?? s.tco2e_per_t / (totals[0] || 1)) * 100, 0) + " %" }))));
  }

  // ---- scenarios ----------------------------------------------------------
  let lastScen = null;     // the last /v1/scenarios/compare answer
  let lastScenReq = null;  // and the request that produced it
  let lastUnc = [];        // per scenario of lastScen: /v1/uncertainty's total_tco2e_per_t
  let lastMonthly = null;  // { name, pv: /v1/pv answer, flatMW }
  let lastSweep = null;
  let scenChart = null, monthlyChart = null, sweepChart = null;
  let products = [];       // from GET /v1/products
  const GC_TECHS = ["wind", "solar", "hydro"];
  const UNC_SAMPLES = 2000, UNC_SEED = 42;

  function addVariantRow(v) {
    const tb = $("variants");
    if (tb.rows.length >= 10) { setStatus("scen-status", "tooMany", true); return; }
    const names = new Set(readVariants().map((x) => x.name));
    let k = tb.rows.length + 1;
    while (names.has("PV " + k * 100 + " MWp")) k++;
    v = v || { name: "PV " + k * 100 + " MWp", mwp: String(k * 100), site: "taiyuan", tilt: "35", gc: "", gctech: "wind", molten: "",
      capex: String(k * 350000000), opex: String(k * 5000000) };
    const n = tb.rows.length + 1;
    const inp = (cls, type, val, label, extra) => el("input", Object.assign({ class: cls, type: type, value: val ?? "", "aria-label": label + " " + n }, extra || {}));
    const site = el("select", { class: "site", "aria-label": t("site") + " " + n });
    fillSelect(site, techOptions("onsite_pv"), v.site);
    const gctech = el("select", { class: "gctech", "aria-label": t("gcTech") + " " + n });
    fillSelect(gctech, GC_TECHS.map((x) => [x, t("tech_" + x)]), v.gctech || "wind");
    const molten = inp("molten", "number", v.molten, t("molten"), { min: "0", max: "1", step: "0.05" });
    molten.disabled = $("s-kind").value === "primary";
    // Capex and opex are typed in million CNY; the state and the request keep CNY.
    const toM = (x) => (x === "" || x === undefined || x === null ? "" : String(Number(x) / 1e6));
    const rm = el("button", { type: "button", class: "rm", "aria-label": t("removeRow") }, "×");
    const tr = el("tr", {},
      el("td", {}, inp("name", "text", v.name, t("name"))),
      el("td", {}, inp("mwp", "number", v.mwp, t("pvMWp"), { min: "0", step: "any" })),
      el("td", {}, site),
      el("td", {}, inp("tilt", "number", v.tilt, t("tilt"), { min: "0", max: "90", step: "any" })),
      el("td", {}, inp("gc", "number", v.gc, t("gcMWh"), { min: "0", step: "any" })),
      el("td", {}, gctech),
      el("td", { class: "prod-col", hidden: $("s-kind").value === "primary" }, molten),
      el("td", {}, inp("capex", "number", toM(v.capex), t("capex"), { min: "0", step: "any" })),
      el("td", {}, inp("opex", "number", toM(v.opex), t("opex"), { step: "any" })),
      el("td", {}, rm));
    rm.addEventListener("click", () => { tr.remove(); relabelRows(); $("add-variant").disabled = false; $("add-variant").focus(); saveHash(); });
    tb.append(tr);
    relabelRows();
    $("add-variant").disabled = tb.rows.length >= 10;
  }
  function readVariants() {
    return Array.from($("variants").rows).map((tr) => {
      const v = {};
      ["name", "mwp", "site", "tilt", "gc", "gctech", "molten", "capex", "opex"].forEach((c) => {
        const n = tr.querySelector("." + c);
        v[c] = n.tagName === "SELECT" ? selValue(n) : n.value;
      });
      // million CNY on the page, CNY in the state and the request
      ["capex", "opex"].forEach((c) => { if (v[c] !== "") v[c] = String(Math.round(Number(v[c]) * 1e6)); });
      return v;
    });
  }
  function readScen() {
    return { kind: $("s-kind").value, molten: $("s-molten").value, prodt: $("s-prodt").value, rate: $("s-rate").value, life: $("s-life").value,
      unc: $("s-unc").checked, wmax: $("w-max").value, wsteps: $("w-steps").value, variants: readVariants() };
  }
  function writeScen(s) {
    if (s.kind && Array.from($("s-kind").options).some((o) => o.value === s.kind)) $("s-kind").value = s.kind;
    else if (s.kind) $("s-kind").dataset.pending = s.kind; // products load later
    $("s-molten").value = s.molten ?? "0";
    $("s-prodt").value = s.prodt ?? "";
    $("s-rate").value = s.rate ?? "";
    $("s-life").value = s.life ?? "";
    $("s-unc").checked = !!s.unc;
    $("w-max").value = s.wmax ?? "500";
    $("w-steps").value = s.wsteps ?? "10";
    $("variants").replaceChildren();
    (s.variants || []).slice(0, 10).forEach(addVariantRow);
    syncKind();
  }
  // syncKind enables the product-only inputs when the footprint is a product's.
  function syncKind() {
    const product = $("s-kind").value !== "primary";
    $("s-molten").disabled = !product;
    $("s-prodt").disabled = !product;
    document.querySelectorAll("#variants .molten").forEach((i) => { i.disabled = !product; });
    // The molten share applies to a product only: its column is hidden otherwise.
    document.querySelectorAll("#variants td.prod-col, table.variants th.prod-col").forEach((c) => { c.hidden = !product; });
  }

  // mergePatch applies an RFC 7386 JSON merge patch, as the API does to each
  // variant: objects merge, null deletes, anything else (arrays too) replaces.
  function mergePatch(target, patch) {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const out = target !== null && typeof target === "object" && !Array.isArray(target) ? Object.assign({}, target) : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k]; else out[k] = mergePatch(out[k], v);
    }
    return out;
  }
  function pvSource(name, site, mwp, tilt) {
    const src = { kind: "onsite_pv", pv: { site: site, system: { capacity_kwp: mwp * 1000 } } };
    if (name) src.name = name;
    if (tilt !== "" && tilt !== undefined) src.pv.system.tilt_deg = num(tilt);
    return src;
  }
  // variantSources: the variant's PV and green contract, then the base's
  // sources except its on-site PV (a variant's PV replaces the base's).
  // A field left empty or 0 adds nothing; any other value (a negative one
  // too) is sent, so that the API validates it against this variant.
  const given = (x) => x !== "" && x !== undefined && num(x) !== 0;
  // keptRows: the plant rows a variant keeps — all, but its own PV replaces
  // the plant's on-site PV.
  const keptRows = (v, baseSources) => baseSources.map((s, k) => k).filter((k) => !(given(v.mwp) && baseSources[k].kind === "onsite_pv"));
  function variantSources(v, baseSources) {
    const out = [];
    if (given(v.mwp)) out.push(pvSource(v.name, v.site, num(v.mwp), v.tilt));
    if (given(v.gc)) out.push({ kind: "green_contract", name: (v.name ? v.name + " " : "") + "contract", technology: v.gctech || "wind", mwh: num(v.gc) });
    return out.concat(keptRows(v, baseSources).map((k) => baseSources[k]));
  }
  // scenarioBase is the compare/sweep base: the plant request, or a product
  // made from the plant's metal (metal.primary = the plant request, whose
  // dataset is the product request's: the API takes it at the top only).
  function scenarioBase(sc, plant) {
    if (sc.kind === "primary") return { kind: "primary", base: plant, electricityAt: [] };
    const { dataset, ...metal } = plant;
    const base = { product: sc.kind, metal: { primary: metal } };
    if (dataset) base.dataset = dataset;
    if (sc.prodt !== "") base.production_t = num(sc.prodt);
    if (sc.molten !== "") base.direct_supply = { molten_share: num(sc.molten) };
    return { kind: "product", base: base, electricityAt: ["metal", "primary"] };
  }
  // nest wraps a value in the objects named by path: nest(["a","b"], v) = {a: {b: v}}.
  const nest = (path, v) => path.reduceRight((acc, k) => ({ [k]: acc }), v);

  function scenarioRequest() {
    const sc = readScen();
    const plant = plantRequest(readPlant());
    const { kind, base, electricityAt } = scenarioBase(sc, plant);
    const baseSources = (plant.electricity && plant.electricity.sources) || [];
    const life = num(sc.life);
    const own = [];
    const variants = sc.variants.map((v) => {
      let patch = {};
      own.push({ pv: given(v.mwp), gc: given(v.gc), baseRows: keptRows(v, baseSources) });
      if (given(v.mwp) || given(v.gc)) patch = nest(electricityAt.concat(["electricity"]), { sources: variantSources(v, baseSources) });
      if (kind === "product" && v.molten !== "") patch = mergePatch(patch, { direct_supply: { molten_share: num(v.molten) } });
      const out = { name: v.name, patch: patch };
      if (v.capex !== "") out.capex_cny = num(v.capex);
      if (v.opex !== "") out.opex_cny_per_year = num(v.opex);
      if (life !== undefined) out.lifetime_years = life;
      return out;
    });
    const req = { kind: kind, base: base, variants: variants };
    if (sc.rate !== "") req.discount_rate = num(sc.rate);
    Object.defineProperty(req, "own", { value: own, enumerable: false }); // for scenarioField; not sent
    return req;
  }
  // uncertaintyRequest is the /v1/uncertainty body for one scenario of a
  // compare request: its base with the variant's patch applied.
  // A variant's run carries the base as its baseline: the API draws both on
  // the same samples and returns the p5–p95 of the difference.
  function uncertaintyRequest(compareReq, i) {
    const request = i === 0 ? compareReq.base : mergePatch(compareReq.base, compareReq.variants[i - 1].patch);
    const out = { kind: compareReq.kind, request: request, samples: UNC_SAMPLES, seed: UNC_SEED };
    if (i > 0) out.baseline = compareReq.base;
    return out;
  }
  // hasPV says whether variant row i of a compare request adds on-site PV.
  // patchSources is the source list that scenario i (0 = base) of a
  // compare request sets, or [] when it keeps the base's.
  function patchSources(req, i) {
    const patch = i > 0 && req.variants[i - 1] ? req.variants[i - 1].patch : {};
    const elec = req.kind === "product" ? patch.metal && patch.metal.primary && patch.metal.primary.electricity : patch.electricity;
    return (elec && elec.sources) || [];
  }
  const hasPV = (req, i) => patchSources(req, i).some((s) => s.kind === "onsite_pv");
  async function computeScenarios() {
    const n = nextSeq("scen");
    setStatus("scen-status", "computing");
    const req = scenarioRequest();
    setBusy("scen", true);
    $("scen-out").setAttribute("aria-busy", "true");
    try {
      const res = await apiFetch("/v1/scenarios/compare", req);
      if (!isLatest("scen", n)) return;
      lastScen = res; lastScenReq = req; lastUnc = []; lastMonthly = null;
      uncPending = $("s-unc").checked;
      renderScenarios(res);
      markStale("scen-out", false);
      setStatus("scen-status", "done");
      if ($("s-unc").checked) await computeUncertainty(req, res, n);
      const firstPV = res.scenarios.findIndex((s, i) => s.outputs && hasPV(req, i));
      if (firstPV > 0 && isLatest("scen", n)) await showMonthly(firstPV);
    } catch (e) {
      if (!isLatest("scen", n)) return;
      markStale("scen-out", true);
      showFieldErrors("scen-status", e, (ptr) => scenarioField(ptr, req));
    } finally {
      if (isLatest("scen", n)) { setBusy("scen", false); $("scen-out").setAttribute("aria-busy", "false"); }
    }
  }
  // computeUncertainty runs /v1/uncertainty for every scenario that
  // computed: the base alone, each variant with the base as its baseline
  // (the API samples both on the same draws: the band of the difference).
  // lastUnc is indexed like the compare answer's scenarios.
  let uncPending = false;
  async function computeUncertainty(req, res, n) {
    setStatus("scen-status", "computingUnc");
    const unc = [];
    const jobs = res.scenarios.map((s, i) => (s.outputs ? apiFetch("/v1/uncertainty", uncertaintyRequest(req, i)).then((u) => { unc[i] = u; }) : null));
    try {
      await Promise.all(jobs.filter(Boolean));
    } finally {
      if (isLatest("scen", n)) uncPending = false;
    }
    if (!isLatest("scen", n)) return;
    lastUnc = unc;
    renderScenarios(res);
    setStatus("scen-status", "done");
  }
  const isProduct = () => lastScenReq && lastScenReq.kind === "product";
  // uncBand is the text of scenario i's band: the base's own p5–p95, a
  // variant's p5–p95 of its difference from the base.
  function uncBand(i) {
    const u = lastUnc[i];
    if (!u) return uncPending ? t("uncComputing") : "—";
    if (i === 0 || !u.difference_tco2e_per_t) return fmt(u.total_tco2e_per_t.location_based.p5, 4) + " – " + fmt(u.total_tco2e_per_t.location_based.p95, 4);
    const q = u.difference_tco2e_per_t.location_based;
    return signed(q.p5, 4) + " – " + signed(q.p95, 4);
  }
  // signed shows a change with its sign: +0.1234, −0.3144 (fmt's minus).
  const signed = (x, d) => (typeof x === "number" && x >= 0.5 * 10 ** -d ? "+" : "") + fmt(x, d);
  // inputLabel names an uncertain input by its pointer in the page's words,
  // the API's label when the page has none.
  function inputLabel(c) {
    const base = c.label.startsWith("baseline: ");
    const p = c.pointer, m = /\/electricity\/sources\/(\d+)\/(ef_tco2_per_mwh|pv|mwh)$/.exec(p);
    const named = { "/electrolysis/ac_kwh_per_t": "inp_ac", "/electricity/grid_ef": "inp_grid_ef", "/anode/net_carbon_t_per_t": "inp_nac",
      "/electrolysis/pfc": "inp_pfc", "/alumina/footprint_tco2e_per_t": "inp_alumina", "/anode/production_tco2e_per_t": "inp_anode_prod",
      "/metal/primary_footprint_tco2e_per_t": "inp_metal", "/melt_loss_fraction": "inp_melt" }[p];
    let text = c.label.replace(/^baseline: /, "");
    if (named) text = t(named);
    else if (m) text = fill(m[2] === "ef_tco2_per_mwh" ? "inp_captive" : "inp_pv", { n: String(Number(m[1]) + 1) });
    return (base ? t("baselinePrefix") : "") + text;
  }
  // drivers lists the three inputs that move a scenario's band most.
  function drivers(i) {
    const u = lastUnc[i];
    if (!u) return [];
    const cs = (i > 0 && u.difference_contributions) || u.contributions || [];
    return cs.slice(0, 3).map((c) => inputLabel(c) + " " + fmt(c.variance_share * 100, 0) + " %");
  }
  // sizesOfOnePlant: every variant is a PV system at one site and tilt with
  // no contract, and only the size differs — alternatives, not additions.
  function sizesOfOnePlant(req) {
    const rows = readVariants();
    if (rows.length < 2 || req.kind !== "primary") return false;
    return rows.every((v) => given(v.mwp) && !given(v.gc) && v.site === rows[0].site && v.tilt === rows[0].tilt)
      && new Set(rows.map((v) => num(v.mwp))).size === rows.length;
  }
  function renderScenarios(r) {
    $("scen-out").hidden = false;
    const withUnc = lastUnc.some(Boolean) || uncPending;
    const product = isProduct();
    const withCost = r.scenarios.some((s) => s.abatement);
    const show = (sel, on) => document.querySelectorAll(sel).forEach((c) => { c.hidden = !on; });
    const base = (r.scenarios[0] && r.scenarios[0].outputs) || {};
    $("scen-rows").replaceChildren(...r.scenarios.map((s, i) => {
      const o = s.outputs || {}, d = s.delta || {};
      const name = s.name === "base" ? t("base") : s.name;
      // In product mode the portfolio outputs are the processing plant's; the
      // variant's PV and contract are the smelter's, shown in primary mode.
      const elec = (v, f) => (v === undefined ? "—" : f(v));
      const pv = hasPV(lastScenReq, i) && s.outputs;
      const btn = pv ? el("button", { type: "button", class: "monthly", "data-index": String(i), text: t("show"), "aria-label": t("monthlyChart") + ": " + name }) : "—";
      if (pv) btn.addEventListener("click", () => showMonthly(i, btn));
      const dl = d.total_location_based_tco2e_per_t;
      const dPct = i > 0 && dl !== undefined && base.total_location_based_tco2e_per_t ? (100 * dl) / base.total_location_based_tco2e_per_t : undefined;
      const avoided = i > 0 && d.annual_location_based_tco2e !== undefined ? -d.annual_location_based_tco2e : undefined;
      const row = el("tr", {}, el("th", { scope: "row", text: name }),
        el("td", { class: "n loc", text: fmt(o.total_location_based_tco2e_per_t, 4) }), el("td", { class: "n mkt", text: fmt(o.total_market_based_tco2e_per_t, 4) }),
        el("td", { class: "n dt" + (dl < 0 ? " neg" : ""), text: i === 0 ? "—" : signed(dl, 4) }),
        el("td", { class: "n dpct", text: dPct === undefined ? "—" : signed(dPct, 1) + " %" }),
        el("td", { class: "n avoided", text: avoided === undefined ? "—" : fmt(avoided, 0) }),
        el("td", { class: "n band unc-col", text: uncBand(i), hidden: !withUnc }),
        el("td", { class: "n mac cost-col", text: s.abatement && s.abatement.cost_cny_per_tco2e !== null ? fmt(s.abatement.cost_cny_per_tco2e, 1) : "—", hidden: !withCost }),
        el("td", { class: "n pct elec-col", text: elec(o.renewable_share_market_based, pct), hidden: product }),
        el("td", { class: "n pct elec-col", text: elec(o.renewable_share_hourly_matched, pct), hidden: product }),
        el("td", { class: "n pv elec-col", text: elec(o.pv_annual_mwh, (v) => fmt(v, 0)), hidden: product }),
        el("td", { class: "n exported elec-col", text: elec(o.exported_mwh, (v) => fmt(v, 0)), hidden: product }),
        el("td", { class: "elec-col", hidden: product }, btn));
      if (s.errors && s.errors.length) {
        row.classList.add("error");
        const cell = el("td", { colspan: "12", class: "errors" });
        cell.textContent = t("errorsIn") + ": " + s.errors.map((e) => {
          const input = scenarioField(e.pointer, lastScenReq);
          if (input && input.setAttribute && input.tagName !== "TBODY") input.setAttribute("aria-invalid", "true");
          return (input && input.tagName !== "TBODY" ? labelOf(input) : e.pointer) + ": " + errorText(e);
        }).join("; ");
        row.replaceChildren(row.cells[0], cell);
      }
      return row;
    }));
    show("#scen-table thead .unc-col, #unc-legend, #unc-drivers", withUnc);
    show("#scen-table thead .cost-col", withCost);
    show("#scen-table thead .elec-col", !product);
    $("unc-legend").textContent = fill("uncLegend", { n: fmt(UNC_SAMPLES, 0), s: String(UNC_SEED) });
    $("unc-drivers").replaceChildren(...r.scenarios.map((s, i) => (lastUnc[i] ? el("li", { text: (s.name === "base" ? t("base") : s.name) + " — " + t("uncDrivers") + ": " + drivers(i).join(", ") }) : null)).filter(Boolean));
    labelCells($("scen-table"));
    $("scen-note").textContent = product ? t("productNote") : "";
    drawScenChart(r);
    const sizes = lastScenReq && sizesOfOnePlant(lastScenReq);
    $("macc-caption").textContent = sizes ? t("costSize") : t("maccChart");
    if (sizes) drawCostSize($("macc-chart"), r); else drawMACC($("macc-chart"), r.macc || []);
    if (lastMonthly) drawMonthly(lastMonthly);
    keepTaskInView();
  }
  // drawScenChart plots each variant's change from the base (location- and
  // market-based) as grouped bars with uPlot, and the p5–p95 of the
  // difference as whiskers when the band was computed.
  function drawScenChart(r) {
    const box = $("scen-chart");
    const at = r.scenarios.map((_, i) => i).filter((i) => i > 0 && r.scenarios[i].outputs && r.scenarios[i].delta); // variants that computed
    const rows = at.map((i) => r.scenarios[i]);
    const names = rows.map((s) => s.name);
    const xs = rows.map((_, i) => i);
    const loc = rows.map((s) => s.delta.total_location_based_tco2e_per_t ?? null);
    const mkt = rows.map((s) => s.delta.total_market_based_tco2e_per_t ?? null);
    const unc = at.map((i) => (lastUnc[i] && lastUnc[i].difference_tco2e_per_t) || null);
    if (scenChart) { scenChart.destroy(); scenChart = null; }
    box.replaceChildren();
    $("scen-chart-key").textContent = t("changeKey");
    if (typeof uPlot === "undefined" || !rows.length) return;
    const bars = (align) => uPlot.paths.bars({ size: [0.35, 60], align: align });
    const vals = [...loc, ...mkt, ...unc.flatMap((u) => (u ? [u.location_based.p5, u.location_based.p95, u.market_based.p5, u.market_based.p95] : []))];
    const lo = Math.min(0, ...vals), hi = Math.max(0, ...vals), pad = (hi - lo) * 0.1 || 0.1;
    const whiskers = (u) => {
      const ctx = u.ctx, gap = xs.length > 1 ? u.valToPos(1, "x", true) - u.valToPos(0, "x", true) : u.bbox.width;
      const bw = Math.min(0.35 * gap, 60 * devicePixelRatio);
      ctx.save();
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2 * devicePixelRatio;
      unc.forEach((m, i) => {
        if (!m) return;
        [[m.location_based, -bw / 2], [m.market_based, bw / 2]].forEach(([q, dx]) => {
          const x = u.valToPos(i, "x", true) + dx, y5 = u.valToPos(q.p5, "y", true), y95 = u.valToPos(q.p95, "y", true);
          ctx.beginPath();
          ctx.moveTo(x, y5); ctx.lineTo(x, y95);
          ctx.moveTo(x - 6, y5); ctx.lineTo(x + 6, y5);
          ctx.moveTo(x - 6, y95); ctx.lineTo(x + 6, y95);
          ctx.stroke();
        });
      });
      ctx.restore();
    };
    const width = Math.max(280, box.clientWidth || 500);
    const tilted = width / Math.max(1, rows.length) < 110; // names would overlap: slant them
    const withBand = unc.some(Boolean);
    scenChart = new uPlot({
      width: width, height: tilted ? 300 : 260, legend: { live: false },
      scales: { x: { time: false, range: [-0.6, rows.length - 0.4] }, y: { range: [lo - pad, hi + pad] } },
      axes: [{ splits: () => xs, values: (u, splits) => splits.map((i) => names[i] || ""), grid: { show: false },
        rotate: tilted ? -35 : 0, size: tilted ? 80 : 50 },
        { label: "Δ " + t("u_tco2e_t"), size: 60 }],
      series: [{ label: t("name"), value: (u, i) => (i === null ? "" : names[i] || "") },
        { label: "Δ " + t("locTotal"), fill: "#1f6fb2", stroke: "#1f6fb2", paths: bars(-1), points: { show: false } },
        { label: "Δ " + t("mktTotal"), fill: "#2e8b57", stroke: "#2e8b57", paths: bars(1), points: { show: false } }],
      hooks: { draw: [whiskers] }
    }, [xs, loc, mkt], box);
    // The band's legend entry, beside uPlot's series legend.
    const legend = box.querySelector(".u-legend");
    if (withBand && legend) legend.append(el("span", { class: "band-key", text: "┃ p5–p95 Δ" }));
    box.setAttribute("role", "img");
    box.dataset.band = withBand ? "p5-p95-difference" : "";
    box.setAttribute("aria-label", t("footprintChart") + ": " + names.map((n, i) => n + " " + signed(loc[i], 4) + " / " + signed(mkt[i], 4) +
      (unc[i] ? " (p5–p95 " + signed(unc[i].location_based.p5, 4) + " – " + signed(unc[i].location_based.p95, 4) + ")" : "")).join("; "));
  }
  // drawMACC draws the marginal abatement cost curve: one bar per variant in
  // rank order, width = t CO2e avoided per year, height = CNY per t. The
  // axis label sits above the bars.
  function drawMACC(box, macc) {
    const W = Math.max(280, box.clientWidth || 500), H = 280, l = 60, r = 10, tp = 30, b = 40;
    const svg = sv("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", class: "macc-svg",
      "aria-label": t("maccChart") + ": " + macc.map((m) => m.name + " " + fmt(m.cost_cny_per_tco2e, 1) + " " + t("cnyPerT")).join("; ") });
    if (!macc.length) { box.replaceChildren(svg); return; }
    const totalX = macc[macc.length - 1].cumulative_avoided_tco2e_per_year || 1;
    const ys = macc.map((m) => m.cost_cny_per_tco2e);
    const ymax = Math.max(0, ...ys), ymin = Math.min(0, ...ys), span = (ymax - ymin) || 1;
    const X = (v) => l + (v / totalX) * (W - l - r);
    const Y = (v) => tp + ((ymax - v) / span) * (H - tp - b);
    svg.append(sv("text", { x: 2, y: 14, class: "lbl" }, t("cnyPerT")));
    svg.append(sv("line", { x1: l, x2: W - r, y1: Y(0), y2: Y(0), class: "axis" }));
    svg.append(sv("line", { x1: l, x2: l, y1: tp, y2: H - b, class: "axis" }));
    svg.append(sv("text", { x: l - 4, y: tp + 4, class: "lbl", "text-anchor": "end" }, fmt(ymax, 0)));
    if (ymin < 0) svg.append(sv("text", { x: l - 4, y: H - b, class: "lbl", "text-anchor": "end" }, fmt(ymin, 0)));
    svg.append(sv("text", { x: W - r, y: H - 8, class: "lbl", "text-anchor": "end" }, fmt(totalX, 0) + " " + t("tPerYr")));
    svg.append(sv("text", { x: l - 4, y: Y(0) + 4, class: "lbl", "text-anchor": "end" }, "0"));
    const palette = ["#1f6fb2", "#2e8b57", "#c0392b", "#8c6d31", "#6a3d9a", "#e67e22", "#16a085", "#7f8c8d", "#d35400", "#2c3e50"];
    macc.forEach((m, i) => {
      const x0 = X(m.cumulative_avoided_tco2e_per_year - m.avoided_tco2e_per_year), x1 = X(m.cumulative_avoided_tco2e_per_year);
      const y = Y(Math.max(0, m.cost_cny_per_tco2e)), h = Math.abs(Y(m.cost_cny_per_tco2e) - Y(0));
      const rect = sv("rect", { x: x0, y: y, width: Math.max(1, x1 - x0 - 1), height: Math.max(1, h), fill: palette[i % palette.length], "data-series": m.name });
      rect.append(sv("title", {}, m.rank + ". " + m.name + ": " + fmt(m.cost_cny_per_tco2e, 1) + " " + t("cnyPerT") + ", " + fmt(m.avoided_tco2e_per_year, 0) + " " + t("tPerYr")));
      svg.append(rect);
      svg.append(sv("text", { x: (x0 + x1) / 2, y: H - b + 14, class: "lbl", "text-anchor": "middle" }, String(m.rank)));
    });
    box.replaceChildren(svg);
    box.append(el("ol", { class: "legend" }, ...macc.map((m) => el("li", { text: m.name + " — " + fmt(m.cost_cny_per_tco2e, 1) + " " + t("cnyPerT") }))));
  }
  // drawCostSize draws, for variants that are sizes of one PV plant, the
  // cost per t CO2e avoided against the size (MWp): a line, one point each.
  function drawCostSize(box, r) {
    const sizes = readVariants().map((v) => num(v.mwp));
    const pts = r.scenarios.slice(1).map((s, i) => ({ name: s.name, x: sizes[i], y: s.abatement && s.abatement.cost_cny_per_tco2e }))
      .filter((p) => typeof p.y === "number" && typeof p.x === "number").sort((a, b) => a.x - b.x);
    const W = Math.max(280, box.clientWidth || 500), H = 260, l = 60, rr = 20, tp = 30, b = 40;
    const svg = sv("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", class: "costsize-svg",
      "aria-label": t("costSize") + ": " + pts.map((p) => fmt(p.x, 0) + " MWp " + fmt(p.y, 1) + " " + t("cnyPerT")).join("; ") });
    box.replaceChildren(svg);
    if (!pts.length) return;
    const xmax = Math.max(...pts.map((p) => p.x)) * 1.1 || 1, ys = pts.map((p) => p.y);
    const ymax = Math.max(0, ...ys) * 1.15 || 1, ymin = Math.min(0, ...ys);
    const X = (v) => l + (v / xmax) * (W - l - rr), Y = (v) => tp + ((ymax - v) / ((ymax - ymin) || 1)) * (H - tp - b);
    svg.append(sv("text", { x: 2, y: 14, class: "lbl" }, t("cnyPerT")));
    svg.append(sv("line", { x1: l, x2: W - rr, y1: Y(0), y2: Y(0), class: "axis" }));
    svg.append(sv("line", { x1: l, x2: l, y1: tp, y2: H - b, class: "axis" }));
    svg.append(sv("text", { x: W - rr, y: H - 8, class: "lbl", "text-anchor": "end" }, "MWp"));
    svg.append(sv("text", { x: l - 4, y: tp + 4, class: "lbl", "text-anchor": "end" }, fmt(ymax, 0)));
    svg.append(sv("path", { d: pts.map((p, i) => (i ? "L" : "M") + X(p.x).toFixed(1) + " " + Y(p.y).toFixed(1)).join(" "), fill: "none", stroke: "#1f6fb2", "stroke-width": 2 }));
    pts.forEach((p) => {
      const c = sv("circle", { cx: X(p.x), cy: Y(p.y), r: 5, fill: "#1f6fb2", "data-series": p.name });
      c.append(sv("title", {}, p.name + ": " + fmt(p.y, 1) + " " + t("cnyPerT")));
      svg.append(c);
      svg.append(sv("text", { x: X(p.x), y: H - b + 14, class: "lbl", "text-anchor": "middle" }, fmt(p.x, 0)));
      svg.append(sv("text", { x: X(p.x), y: Y(p.y) - 9, class: "lbl", "text-anchor": "middle" }, fmt(p.y, 0)));
    });
  }
  // ---- monthly PV output against the plant's load -------------------------
  const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  // monthlyRequest is the /v1/pv body for variant i's PV system with the
  // plant's demand as a flat load: demand_mwh / 8760 h [MW], the load the
  // portfolio matches hour by hour when no profile is given.
  function monthlyRequest(i, demandMWh) {
    const pv = patchSources(lastScenReq, i).find((s) => s.kind === "onsite_pv").pv;
    return { site: pv.site, system: pv.system, load: { flat_mw: demandMWh / 8760 } };
  }
  // showMonthly draws variant i of the last comparison: the compared
  // plant's demand (its footprint request, answered from the cache) as a
  // flat load, against the variant's PV system run by /v1/pv.
  async function showMonthly(i, btn) {
    const n = nextSeq("monthly");
    const scen = lastScen, sreq = lastScenReq;
    setStatus("scen-status", "computing");
    if (btn) { btn.disabled = true; btn.setAttribute("aria-busy", "true"); }
    try {
      const plantReq = sreq.kind === "product" ? Object.assign(sreq.base.dataset ? { dataset: sreq.base.dataset } : {}, sreq.base.metal.primary) : sreq.base;
      const plant = await apiFetch("/v1/footprints/primary", plantReq);
      const req = monthlyRequest(i, plant.electricity.demand_mwh);
      const pv = await apiFetch("/v1/pv", req);
      if (!isLatest("monthly", n) || scen !== lastScen) return;
      lastMonthly = { name: scen.scenarios[i].name, pv: pv, flatMW: req.load.flat_mw, req: req, plantReq: plantReq };
      drawMonthly(lastMonthly);
      setStatus("scen-status", "done");
    } catch (e) {
      if (isLatest("monthly", n)) setStatus("scen-status", e.message, true);
    } finally {
      if (btn) { btn.disabled = false; btn.setAttribute("aria-busy", "false"); }
    }
  }
  function drawMonthly(m) {
    $("monthly-fig").hidden = false;
    $("monthly-name").textContent = m.name;
    const box = $("monthly-chart");
    if (monthlyChart) { monthlyChart.destroy(); monthlyChart = null; }
    box.replaceChildren();
    const xs = DAYS.map((_, k) => k + 1);
    const pvMWh = m.pv.monthly_ac_kwh.map((k) => k / 1000);
    const loadMWh = DAYS.map((d) => m.flatMW * d * 24);
    const l = m.pv.load || {};
    $("monthly-note").textContent = t("pvOut") + " " + fmt(m.pv.annual_ac_kwh / 1000, 0) + " " + t("u_mwh_yr") + " · " + t("selfCons") + " " +
      fmt(l.self_consumed_kwh / 1000, 0) + " MWh · " + t("exportedShort") + " " + fmt(l.exported_kwh / 1000, 0) + " MWh · " +
      t("pvShareLoad") + " " + pct(l.hourly_matched_share);
    if (typeof uPlot === "undefined") return;
    const small = (box.clientWidth || 600) < 560; // every other month labelled
    // PV is often a few per cent of a smelter's load: each has its own axis
    // (PV left, load right), both from 0.
    monthlyChart = new uPlot({
      width: Math.max(280, box.clientWidth || 600), height: 240, legend: { live: false },
      scales: { x: { time: false, range: [0.4, 12.6] }, pv: { range: [0, Math.max(...pvMWh) * 1.1 || 1] },
        load: { range: [0, Math.max(...loadMWh) * 1.1 || 1] } },
      axes: [{ splits: () => xs, values: (u, s) => s.map((m) => (small && m % 2 === 0 ? "" : String(m))), grid: { show: false }, label: t("month") },
        { scale: "pv", label: t("pvOut") + " [MWh]", size: 80, stroke: "#8a5a00" },
        { scale: "load", side: 1, label: t("plantLoad") + " [MWh]", size: 90, stroke: "#1f6fb2", grid: { show: false } }],
      series: [{ label: t("month") },
        { label: t("pvOut") + " [MWh]", scale: "pv", fill: "#f0a500", stroke: "#c78b00", paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
        { label: t("plantLoad") + " [MWh]", scale: "load", stroke: "#1f6fb2", width: 2 }]
    }, [xs, pvMWh, loadMWh], box);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", t("monthlyChart") + ": " + m.name + "; " + pvMWh.map((v, k) => (k + 1) + ": " + fmt(v, 0)).join(", "));
  }

  // ---- sweep: footprint against PV capacity -------------------------------
  // sweepRequest: the scenario base with one PV system at the first variant's
  // site and tilt in front of the base's other sources; its capacity takes
  // steps+1 values from 0 to the maximum (0 is sent as 1 kWp: the API needs
  // a capacity above 0).
  function sweepRequest() {
    const sc = readScen();
    const plant = plantRequest(readPlant());
    const baseSources = ((plant.electricity && plant.electricity.sources) || []).filter((s) => s.kind !== "onsite_pv");
    const first = sc.variants[0] || { site: "taiyuan", tilt: "" };
    const maxMWp = num(sc.wmax) || 0, steps = Math.round(num(sc.wsteps) || 0);
    const values = [];
    for (let i = 0; i <= steps; i++) values.push(i === 0 ? 1 : (maxMWp * 1000 * i) / steps);
    plant.electricity = Object.assign({}, plant.electricity, { sources: [pvSource("PV", first.site, maxMWp, first.tilt)].concat(baseSources) });
    const { kind, base, electricityAt } = scenarioBase(sc, plant);
    const pointer = "/" + electricityAt.concat(["electricity", "sources", "0", "pv", "system", "capacity_kwp"]).join("/");
    return { kind: kind, base: base, parameter: pointer, values: values };
  }
  // sweepInputError checks the two sweep fields the API cannot name (it
  // sees only the values they make); "" when both are fine.
  function sweepInputError() {
    const max = num($("w-max").value), steps = num($("w-steps").value);
    if (!(max > 0 && max <= 10000)) return [$("w-max"), t("sweepMaxRule")];
    if (!(Number.isInteger(steps) && steps >= 2 && steps <= 50)) return [$("w-steps"), t("sweepStepsRule")];
    return null;
  }
  async function computeSweep() {
    const bad = sweepInputError();
    if (bad) {
      showFieldErrors("sweep-status", { fields: [{ pointer: "#" + bad[0].id, detail: bad[1] }] }, (p) => $(p.slice(1)));
      return;
    }
    const n = nextSeq("sweep");
    const req = sweepRequest();
    setStatus("sweep-status", "computing");
    setBusy("sweep", true);
    try {
      const res = await apiFetch("/v1/scenarios/sweep", req);
      if (!isLatest("sweep", n)) return;
      lastSweep = res;
      drawSweep(lastSweep);
      markStale("sweep-fig", false);
      setStatus("sweep-status", "done");
    } catch (e) {
      if (!isLatest("sweep", n)) return;
      markStale("sweep-fig", true);
      showFieldErrors("sweep-status", e, (ptr) => scenarioField(ptr, req));
    } finally {
      if (isLatest("sweep", n)) setBusy("sweep", false);
    }
  }
  function drawSweep(r) {
    $("sweep-fig").hidden = false;
    const box = $("sweep-chart");
    if (sweepChart) { sweepChart.destroy(); sweepChart = null; }
    box.replaceChildren();
    const pts = r.points.filter((p) => p.outputs);
    const xs = pts.map((p) => (p.value <= 1 ? 0 : p.value / 1000));
    const loc = pts.map((p) => p.outputs.total_location_based_tco2e_per_t);
    const mkt = pts.map((p) => p.outputs.total_market_based_tco2e_per_t);
    box.dataset.points = String(pts.length);
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", t("sweepChart") + ": " + xs.map((x, i) => fmt(x, 0) + " MWp " + fmt(loc[i], 3)).join("; "));
    if (typeof uPlot === "undefined" || !pts.length) return;
    const lo = Math.min(...loc, ...mkt), hi = Math.max(...loc, ...mkt), pad = (hi - lo) * 0.1 || 0.5;
    sweepChart = new uPlot({
      width: Math.max(280, box.clientWidth || 600), height: 240, legend: { live: false },
      scales: { x: { time: false }, y: { range: [lo - pad, hi + pad] } },
      axes: [{ label: "MWp" }, { label: t("u_tco2e_t"), size: 60 }],
      series: [{ label: "MWp" },
        { label: t("locTotal"), stroke: "#1f6fb2", width: 2 },
        { label: t("mktTotal"), stroke: "#2e8b57", width: 2, dash: [6, 4] }]
    }, [xs, loc, mkt], box);
  }

  async function loadSites() {
    try {
      const r = await apiFetch("/v1/solar-sites");
      sites = r.sites.filter((s) => s.annual_ghi_kwh_m2 !== null && s.annual_ghi_kwh_m2 !== undefined);
      refreshSiteSelects();
    } catch (e) {
      setStatus("scen-status", e.message, true);
    }
  }
  // refreshSiteSelects refills every PV site list (after the sites arrive
  // or the language changes), keeping each choice.
  // refreshSelects refills the lists whose labels come from the API or the
  // language (sites, technologies, units), keeping each choice.
  function refreshSiteSelects() {
    document.querySelectorAll("#variants select.site").forEach((s) => fillSelect(s, techOptions("onsite_pv"), selValue(s)));
    document.querySelectorAll("#variants select.gctech").forEach((s) => fillSelect(s, GC_TECHS.map((x) => [x, t("tech_" + x)]), s.value));
    document.querySelectorAll("#sources tr").forEach((tr) => {
      const k = tr.querySelector(".kind").value, tech = tr.querySelector(".tech"), unit = tr.querySelector(".unit");
      fillSelect(tech, techOptions(k), selValue(tech));
      fillSelect(unit, unitOptions(k), unit.value);
    });
  }
  // loadRegions offers the regions that have grid factors (code and name)
  // as suggestions for the plant's and the buyers' region fields.
  async function loadRegions() {
    try {
      const r = await apiFetch("/v1/grid-factors");
      regionNames = new Map();
      r.factors.forEach((f) => regionNames.set(f.region, f.region_name));
      fillRegions();
    } catch (e) {
      setStatus("plant-status", e.message, true);
    }
  }
  // fillRegions labels each region in the page's language (the glossary's
  // name, else the API's).
  let regionNames = null;
  function fillRegions() {
    if (!regionNames) return;
    $("regions").replaceChildren(...Array.from(regionNames).sort().map(([c, name]) => el("option", { value: c, label: c + " — " + (dict.en["region_" + c] ? t("region_" + c) : name) })));
  }
  // loadProducts fills "Footprint of" with the product families.
  async function loadProducts() {
    try {
      const r = await apiFetch("/v1/products");
      products = r.products;
      fillProducts();
    } catch (e) {
      setStatus("scen-status", e.message, true);
    }
  }
  function fillProducts() {
    const sel = $("s-kind"), value = sel.dataset.pending || sel.value;
    fillSelect(sel, [["primary", t("primaryIngot")]].concat(products.map((p) => [p.id, (lang === "zh" ? p.name_zh : p.name_en) + " (CN " + p.cn_code + ")"])), value);
    delete sel.dataset.pending;
    syncKind();
  }

  // ---- batch files (issue 18) ------------------------------------------------
  // Template links (GET /v1/batches/template, in the page's language), an
  // upload (POST /v1/batches with the publisher's API key) answered with
  // every row's figures or errors, and the API's own CSV and XLSX of the
  // same file. The key lives in sessionStorage only: never in the URL, the
  // shared hash or a log.
  const KEY_STORE = "alcarbon.apiKey";
  const MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  let lastBatch = null;      // { kind, file, res }: the last upload answered
  let batchMsg = null;       // { key, vars, error }: the status line, kept for a language switch
  const templateHref = (kind, format) => "/v1/batches/template?" + new URLSearchParams({ kind: kind, format: format, lang: lang });
  function syncTemplateLinks() {
    const kind = $("bt-kind").value;
    $("bt-template").setAttribute("href", templateHref(kind, "xlsx"));
    $("bt-template-csv").setAttribute("href", templateHref(kind, "csv"));
  }
  // batchContentType names the file's format by its extension (browsers
  // give a CSV as text/csv, application/vnd.ms-excel or nothing).
  function batchContentType(file) {
    const name = file.name.toLowerCase();
    if (name.endsWith(".xlsx")) return MIME_XLSX;
    if (name.endsWith(".csv")) return "text/csv";
    if (/\.(jsonl|ndjson)$/.test(name)) return "application/x-ndjson";
    return file.type || "application/octet-stream";
  }
  // postBatch sends a file as it is; format "" asks for JSON.
  function postBatch(kind, file, key, format) {
    const q = new URLSearchParams({ kind: kind });
    if (format) q.set("format", format);
    return fetch("/v1/batches?" + q, { method: "POST", headers: { "Content-Type": batchContentType(file), Authorization: "Bearer " + key }, body: file });
  }
  // batchFailure words a failed answer: a file refused as a whole (400,
  // 413, 415 with a code at pointer "") by its code, else by its status:
  // { key, vars } or { text } for the status line, with the field errors
  // (a 422) worded by code.
  async function batchFailure(res) {
    let data = null;
    try { data = JSON.parse(await res.text()); } catch (_) { /* not JSON */ }
    const detail = (data && (data.detail || data.title)) || String(res.status);
    const fileErrs = data && Array.isArray(data.errors) && data.errors.length
      && data.errors.every((f) => !f.pointer && f.code && f.code !== "invalid") ? data.errors : null;
    if (fileErrs && [400, 413, 415].includes(res.status)) {
      const text = () => fileErrs.map(errorText).join("\n");
      if (res.status === 413) return { text: () => { const s = text(); return s.charAt(0).toUpperCase() + s.slice(1); } };
      return { text: () => fill("bt_file", { text: text() }) };
    }
    switch (res.status) {
      case 400: return { key: "bt_400", vars: { detail: detail } };
      case 401: case 403: return { key: "bt_401" };
      case 413: return { key: "bt_413", vars: { detail: detail } };
      case 415: return { key: "bt_415" };
      case 429: return { key: "bt_429", vars: { s: res.headers.get("Retry-After") || "1" } };
      case 503: return { key: "bt_503" };
    }
    if (data && Array.isArray(data.errors) && data.errors.length) {
      return { text: () => data.errors.map((f) => (f.pointer ? f.pointer + ": " : "") + errorText(f)).join("\n") };
    }
    return { key: "bt_failed", vars: { detail: res.status + " " + detail } };
  }
  function showBatchMsg() {
    const m = batchMsg, s = $("bt-status");
    if (!m) { s.textContent = ""; s.classList.remove("error"); return; }
    s.textContent = m.text ? m.text() : fill(m.key, m.vars);
    s.classList.toggle("error", !!m.error);
  }
  const setBatchMsg = (m, error) => { batchMsg = m && Object.assign({}, m, { error: !!error }); showBatchMsg(); };
  // batchProgress shows how far a batch is. A synchronous batch has no
  // count until it answers (total undefined: a moving bar and "Uploading
  // and computing…"); a batch job's progress is rows done (computed or
  // failed) of total, in a bar with a value.
  function batchProgress(done, total, queued) {
    const bar = $("bt-progress");
    if (total === undefined) {
      bar.removeAttribute("value");
      setBatchMsg({ key: "batchComputing" });
      return;
    }
    bar.max = Math.max(total, 1);
    bar.value = done;
    bar.hidden = false;
    if (queued) setBatchMsg({ key: "batchQueued", vars: { total: fmt(total, 0) } });
    else setBatchMsg({ key: "batchProgress", vars: { done: fmt(done, 0), total: fmt(total, 0) } });
  }
  // batchInputsReady checks the file and the key before a request, naming
  // the one missing.
  function batchInputsReady() {
    const file = $("bt-file").files[0], key = $("bt-key").value.trim();
    ["bt-file", "bt-key"].forEach((id) => $(id).removeAttribute("aria-invalid"));
    const missing = !file ? ["bt-file", "bt_noFile"] : !key ? ["bt-key", "bt_noKey"] : null;
    if (missing) {
      $(missing[0]).setAttribute("aria-invalid", "true");
      $(missing[0]).focus();
      setBatchMsg({ key: missing[1] }, true);
      return null;
    }
    return { file: file, key: key };
  }
  async function uploadBatch() {
    const ready = batchInputsReady();
    if (!ready) return;
    const kind = $("bt-kind").value, n = nextSeq("batch");
    stopJob();
    setBusy("batch", true);
    $("bt-out").setAttribute("aria-busy", "true");
    batchProgress();
    let polling = false;
    try {
      const res = await postBatch(kind, ready.file, ready.key);
      if (!isLatest("batch", n)) return;
      if (res.status === 202) {
        // More than 200 rows: a batch job, followed until it ends.
        const job = await res.json();
        if (!isLatest("batch", n)) return;
        const url = res.headers.get("Location") || "/v1/batches/" + job.id;
        markStale("bt-out", true);
        setBusy("batch", false);
        polling = true;
        followJob({ n: n, kind: kind, file: ready.file, key: ready.key, url: url, id: job.id, timer: 0, failures: 0 }, job);
        return;
      }
      if (!res.ok) {
        if (res.status === 401 || res.status === 403) $("bt-key").setAttribute("aria-invalid", "true");
        markStale("bt-out", true);
        setBatchMsg(await batchFailure(res), true);
        return;
      }
      lastBatch = { kind: kind, file: ready.file, res: await res.json() };
      markStale("bt-out", false);
      setBatchMsg(null);
      setStatus("bt-dl-status", "");
      renderBatch();
    } catch (e) {
      if (isLatest("batch", n)) setBatchMsg({ key: "bt_failed", vars: { detail: e.message } }, true);
    } finally {
      if (isLatest("batch", n) && !polling) { setBusy("batch", false); $("bt-out").setAttribute("aria-busy", "false"); }
    }
  }

  // ---- batch jobs: a file of more than 200 rows (202 + Location) ------------
  // The page polls GET /v1/batches/{id} about every second with the key the
  // file was posted with, draws rows done of total, offers Cancel (DELETE)
  // while the job runs and, once it has ended, reads its results as JSON
  // lines into the same table. Polling stops on a final state, a new upload
  // or when the page is left (pagehide; a page restored from the back-forward
  // cache goes on).
  const JOB_POLL_MS = 1000, JOB_TABLE_ROWS = 1000, JOB_MAX_FAILURES = 5;
  const JOB_FINAL = ["done", "failed", "canceled"];
  let activeJob = null;      // the job being followed
  const jobHeaders = (job) => ({ Authorization: "Bearer " + job.key });
  // stopJob stops following the job (the job itself goes on on the server).
  function stopJob() {
    if (!activeJob) return;
    clearTimeout(activeJob.timer);
    activeJob = null;
    showJobControls(false);
  }
  function showJobControls(on) {
    $("bt-cancel").hidden = !on;
    if (!on) {
      $("bt-cancel").disabled = false;
      $("bt-cancel").setAttribute("aria-busy", "false");
      $("bt-progress").hidden = true;
    }
  }
  // followJob shows a job's state and, unless it has ended, polls again.
  function followJob(job, state) {
    activeJob = job;
    showJobState(job, state);
  }
  // An answer that arrives after the job was seen to end (a poll in flight
  // while Cancel was answered) changes nothing; one that arrives while
  // Cancel is on its way leaves "Canceling…" on screen.
  function showJobState(job, s) {
    if (activeJob !== job || job.ended || !isLatest("batch", job.n)) return;
    job.failures = 0;
    if (JOB_FINAL.includes(s.state)) { jobEnded(job, s); return; }
    if (!job.canceling) {
      showJobControls(true);
      batchProgress(s.rows_done || 0, s.rows || 0, s.state === "queued");
    }
    schedulePoll(job);
  }
  function schedulePoll(job) {
    clearTimeout(job.timer);
    job.timer = setTimeout(() => pollJob(job), JOB_POLL_MS);
  }
  async function pollJob(job) {
    if (activeJob !== job || job.ended) return;
    try {
      const res = await fetch(job.url, { headers: jobHeaders(job), cache: "no-store" });
      if (activeJob !== job) return;
      if (!res.ok) {
        const m = await batchFailure(res);
        // A server busy or briefly away: try again, a few times.
        if ((res.status >= 500 || res.status === 429) && ++job.failures < JOB_MAX_FAILURES) { schedulePoll(job); return; }
        jobLost(job, m.text ? m.text() : fill(m.key, m.vars));
        return;
      }
      showJobState(job, await res.json());
    } catch (e) {
      if (activeJob !== job) return;
      if (++job.failures < JOB_MAX_FAILURES) schedulePoll(job); else jobLost(job, e.message);
    }
  }
  function jobLost(job, detail) {
    stopJob();
    $("bt-out").setAttribute("aria-busy", "false");
    setBatchMsg({ key: "batchJobLost", vars: { detail: detail } }, true);
  }
  // cancelJob asks the API to cancel the job; its answer (canceled, or a
  // 409 when the job ended first) is shown as a poll's would be.
  async function cancelJob() {
    const job = activeJob;
    if (!job || job.ended || job.canceling) return;
    const btn = $("bt-cancel");
    const settle = () => { job.canceling = false; btn.disabled = false; btn.setAttribute("aria-busy", "false"); };
    job.canceling = true;
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
    setBatchMsg({ key: "batchCanceling" });
    clearTimeout(job.timer);
    try {
      const res = await fetch(job.url, { method: "DELETE", headers: jobHeaders(job) });
      if (activeJob !== job || job.ended) return;
      if (res.ok) { const s = await res.json(); settle(); showJobState(job, s); return; }
      settle();
      if (res.status === 409) { pollJob(job); return; } // it ended before it could be canceled: show how
      const m = await batchFailure(res);
      setBatchMsg({ key: "batchJobLost", vars: { detail: m.text ? m.text() : fill(m.key, m.vars) } }, true);
      schedulePoll(job);
    } catch (e) {
      if (activeJob !== job || job.ended) return;
      settle();
      setBatchMsg({ key: "batchJobLost", vars: { detail: e.message } }, true);
      schedulePoll(job);
    }
  }
  // jobEnded reads the results of an ended job (those of the rows computed
  // before a cancel or a failure too) and shows them as a synchronous
  // answer is shown. A chunk being computed when the job was canceled may
  // still record its rows after the cancel's answer, so a canceled job is
  // worded by the rows its results held when they were read, and read even
  // when the state said none were done.
  async function jobEnded(job, s) {
    job.ended = true;
    clearTimeout(job.timer);
    showJobControls(false);
    try {
      let read = 0;
      if (s.rows_done > 0 || s.state !== "done") {
        const res = await fetch(job.url + "/results?format=jsonl", { headers: jobHeaders(job), cache: "no-store" });
        if (activeJob !== job) return;
        if (!res.ok) {
          const m = await batchFailure(res);
          setBatchMsg({ key: "batchJobLost", vars: { detail: m.text ? m.text() : fill(m.key, m.vars) } }, true);
          return;
        }
        const out = await readJobResults(res);
        if (activeJob !== job) return;
        read = out.rows;
        if (read > 0) {
          lastBatch = { kind: job.kind, file: job.file, job: job, res: out };
          markStale("bt-out", false);
          setStatus("bt-dl-status", "");
          renderBatch();
        }
      }
      const msg = s.state === "done" ? { key: "batchJobDone" }
        : s.state === "failed" ? { key: "batchJobFailed", vars: { detail: s.error || s.state }, error: true }
        : read ? { key: "batchJobCanceled", vars: { done: fmt(read, 0), total: fmt(s.rows, 0) } }
        : { key: "batchJobCanceledNone" };
      setBatchMsg(msg, msg.error);
    } catch (e) {
      if (activeJob === job) setBatchMsg({ key: "batchJobLost", vars: { detail: e.message } }, true);
    } finally {
      if (activeJob === job) { activeJob = null; $("bt-out").setAttribute("aria-busy", "false"); }
    }
  }
  // readJobResults reads the JSON lines of a job's results as they arrive
  // into the synchronous answer's shape: rows, computed, failed, results
  // (without their errors) and errors (every row's). A JSON line is a
  // synchronous result with its own errors. The table keeps the first
  // JOB_TABLE_ROWS rows and every row with errors (up to as many again);
  // the counts are of all rows.
  async function readJobResults(res) {
    const out = { rows: 0, computed: 0, failed: 0, results: [], errors: [], shown: 0, limit: JOB_TABLE_ROWS };
    const take = (line) => {
      if (!line.trim()) return;
      const x = JSON.parse(line), errs = x.errors || [];
      delete x.errors;
      out.rows++;
      if (x.status === "ok") out.computed++; else out.failed++;
      if (out.rows <= JOB_TABLE_ROWS || (x.status !== "ok" && out.results.length < 2 * JOB_TABLE_ROWS)) {
        out.results.push(x);
        errs.forEach((e) => out.errors.push(e));
      }
    };
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) { take(buf.slice(0, i)); buf = buf.slice(i + 1); }
    }
    take(buf);
    out.shown = out.results.length;
    return out;
  }

  // renderBatch shows every row: its figures as the API answers them
  // (tables' four decimals, shares in %), or its errors worded by code
  // with the column header the file wrote.
  function renderBatch() {
    const b = lastBatch, r = b.res;
    $("bt-out").hidden = false;
    $("bt-summary").textContent = fill(r.failed ? "batchSummary" : "batchSummaryOK", { rows: fmt(r.rows, 0), computed: fmt(r.computed, 0), failed: fmt(r.failed, 0) });
    const partial = r.shown !== undefined && r.shown < r.rows;
    $("bt-shown").hidden = !partial;
    $("bt-shown").textContent = partial ? fill("batchShown", { shown: fmt(r.shown, 0), rows: fmt(r.rows, 0), limit: fmt(r.limit, 0) }) : "";
    const ets = b.kind === "primary" && r.results.some((x) => x.ets);
    document.querySelectorAll("#bt-table th.ets-col").forEach((c) => { c.hidden = !ets; });
    const cols = $("bt-table").tHead.rows[0].cells.length - (ets ? 0 : 2);
    const byRow = new Map();
    r.errors.forEach((e) => { if (!byRow.has(e.row)) byRow.set(e.row, []); byRow.get(e.row).push(e); });
    const cell = (v, cls) => el("td", { class: "n" + (cls ? " " + cls : ""), text: v === undefined || v === null ? t("na") : fmt(v, 4) });
    $("bt-rows").replaceChildren(...r.results.map((x) => {
      const rowNo = el("td", { class: "n row-n", text: String(x.row) });
      if (x.status !== "ok") {
        const lines = (byRow.get(x.row) || []).map((e) => el("li", { "data-code": e.code || "" },
          e.column ? fill("batchRowErr", { column: e.column, text: errorText(e) }) : t("batchWholeRow") + ": " + errorText(e)));
        return el("tr", { class: "error", "data-row": String(x.row) }, rowNo, el("td", { colspan: String(cols - 1), class: "errors" }, el("ul", {}, ...lines)));
      }
      const tot = x.total_tco2e_per_t || {}, rs = x.renewable_share || {}, c = x.cbam || {}, e = x.ets || {};
      const stages = el("ul", { class: "stages" }, ...(x.stages || []).map((s) => el("li", { "data-stage": s.stage }, t("s_" + s.stage) + " ", el("span", { class: "n", text: fmt(s.tco2e_per_t, 4) }))));
      const cells = [rowNo,
        el("td", { class: "place", text: (x.region ? regionName(x.region) + " (" + x.region + ")" : t("na")) + (x.year ? " · " + x.year : "") }),
        cell(tot.location_based, "loc"), cell(tot.market_based, "mkt"), el("td", { class: "stages" }, stages),
        el("td", { class: "n shares", text: pct(rs.location_based) + " / " + pct(rs.market_based) }),
        cell(c.see_direct_tco2e_per_t, "see-direct"), cell(c.see_indirect_tco2e_per_t, "see-indirect"), cell(c.obligation_tco2e_per_t, "obligation"),
        cell(c.default_value_tco2e_per_t, "cbam-default")];
      if (ets) cells.push(cell(e.process_tco2e_per_t, "ets-process"), cell(e.enterprise_tco2e_per_t, "ets-enterprise"));
      return el("tr", { "data-row": String(x.row) }, ...cells);
    }));
    labelCells($("bt-table"));
  }
  // downloadResults re-posts the uploaded file for the API's CSV or XLSX
  // of it (the page writes no CSV of its own) and saves the answer under
  // the API's file name.
  // A batch job's results are not computed again: they are read with
  // GET /v1/batches/{id}/results?format=csv|xlsx and the key that posted
  // the file (only its organisation sees the job).
  async function downloadResults(format) {
    if (!lastBatch) return;
    const job = lastBatch.job;
    const key = job ? job.key : $("bt-key").value.trim();
    if (!key) { setBatchMsg({ key: "bt_noKey" }, true); $("bt-key").focus(); return; }
    const n = nextSeq("btdl");
    setBusy("btdl", true);
    setStatus("bt-dl-status", "loading");
    try {
      const res = job
        ? await fetch(job.url + "/results?format=" + format, { headers: jobHeaders(job), cache: "no-store" })
        : await postBatch(lastBatch.kind, lastBatch.file, key, format);
      if (!isLatest("btdl", n)) return;
      if (!res.ok) {
        const m = await batchFailure(res);
        setStatus("bt-dl-status", m.text ? m.text() : fill(m.key, m.vars), true);
        return;
      }
      const blob = await res.blob();
      const name = (/filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") || "") || [])[1] || "alcarbon-batch-results." + format;
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      setStatus("bt-dl-status", fill("downloaded", { name: name }));
    } catch (e) {
      if (isLatest("btdl", n)) setStatus("bt-dl-status", fill("bt_failed", { detail: e.message }), true);
    } finally {
      if (isLatest("btdl", n)) setBusy("btdl", false);
    }
  }

  // ---- buyers ---------------------------------------------------------------
  // The last answers are kept so that a language switch redraws them.
  let openID = null;
  let lastList = null, lastDecl = null, lastPact = null, lastCbam = null, lastEts = null, lastVerify = null;
  function searchQuery() {
    const q = new URLSearchParams();
    [["product", "b-product"], ["company", "b-company"], ["region", "b-region"]].forEach(([k, id]) => {
      const v = $(id).value.trim();
      if (v) q.set(k, v);
    });
    return "/v1/declarations" + (q.toString() ? "?" + q : "");
  }
  async function searchDeclarations() {
    const n = nextSeq("search");
    setStatus("buy-status", "loading");
    setBusy("buy", true);
    try {
      const r = await apiFetch(searchQuery());
      if (!isLatest("search", n)) return;
      lastList = r.declarations || [];
      renderList();
    } catch (e) {
      if (isLatest("search", n)) setStatus("buy-status", e.message, true);
    } finally {
      if (isLatest("search", n)) setBusy("buy", false);
    }
  }
  // period shows a reference period as its first and last day, inclusive.
  const period = (p) => p.start + " – " + p.end;
  const filtered = () => ["b-product", "b-company", "b-region"].some((id) => $(id).value.trim() !== "");
  function renderList() {
    const list = lastList;
    $("decl-table").hidden = list.length === 0;
    $("buy-empty").hidden = !(list.length === 0 && filtered());
    $("decl-rows").replaceChildren(...list.map((d) => {
      const b = el("button", { type: "button", class: "open", "data-id": d.id, text: t("open"), "aria-label": t("open") + ": " + d.product_name + " — " + d.company_name });
      b.addEventListener("click", () => openDeclaration(d.id, b));
      return el("tr", {}, el("td", { text: d.product_name }), el("td", { text: d.company_name }), el("td", { text: regionName(d.region) + " (" + d.region + ")" }),
        el("td", { class: "date", text: period(d.reference_period) }), el("td", { class: "n", text: fmt(d.total_tco2e_per_t, 4) }),
        el("td", {}, b));
    }));
    labelCells($("decl-table"));
    keepTaskInView();
    setStatus("buy-status", list.length ? list.length + " " + t("found") : "noResults");
  }
  const declPath = (id) => "/v1/declarations/" + encodeURIComponent(id);
  // openDeclaration shows a declaration with its PACT, CBAM and China ETS
  // views; the four answers are asked for together.
  async function openDeclaration(id, btn) {
    const n = nextSeq("decl");
    setStatus("buy-status", "loading");
    if (btn) { btn.disabled = true; btn.setAttribute("aria-busy", "true"); }
    const base = declPath(id);
    const settle = (p) => p.then((v) => ({ v }), (e) => ({ e }));
    try {
      const [d, pact, cbam, ets] = await Promise.all([apiFetch(base), settle(apiFetch(base + "/pact")), settle(apiFetch(base + "/cbam")),
        settle(apiFetch(base + "/ets"))]);
      if (!isLatest("decl", n)) return;
      openID = id;
      lastDecl = d; lastPact = pact; lastCbam = cbam; lastEts = ets; lastVerify = null;
      $("decl-detail").hidden = false;
      $("d-cbam-link").setAttribute("href", base + "/cbam");
      $("d-ets-link").setAttribute("href", base + "/ets");
      $("d-pact-link").setAttribute("href", base + "/pact");
      $("d-cbam-xlsx").setAttribute("href", base + "/cbam.xlsx");
      renderDecl();
      setStatus("verify-status", "");
      setStatus("buy-status", "");
      $("decl-detail").focus();
    } catch (e) {
      if (isLatest("decl", n)) setStatus("buy-status", e.message, true);
    } finally {
      if (btn) { btn.disabled = false; btn.setAttribute("aria-busy", "false"); }
    }
  }
  function renderDecl() {
    const d = lastDecl, res = d.result || {}, tot = res.total_tco2e_per_t || {};
    $("d-title").textContent = d.product_name + " — " + d.company_name;
    $("d-mkt").textContent = fmt(tot.market_based ?? d.total_tco2e_per_t, 2);
    $("d-loc").textContent = tot.location_based === undefined ? t("na") : fmt(tot.location_based, 2);
    $("d-period-note").textContent = t("period") + ": " + period(d.reference_period) + " (" + t("datesInclusive") + ")";
    renderInstallation(d.metadata);
    kvRows($("d-kv"), [["id", d.id], [t("version"), String(d.version)], [t("status"), code("st_", d.status)], [t("region"), regionName(d.region) + " (" + d.region + ")"],
      [t("period"), period(d.reference_period)],
      [t("locTotal"), tot.location_based === undefined ? t("na") : fmt(tot.location_based, 4) + " " + t("u_tco2e_t")],
      [t("mktTotal"), fmt(tot.market_based ?? d.total_tco2e_per_t, 4) + " " + t("u_tco2e_t")], [t("dataset"), d.dataset_version + " / " + d.engine_version],
      [t("hash"), d.content_hash]]);
    // Every stage on both bases, each column named by its basis.
    $("d-stages").replaceChildren(...(res.stages || []).map((s) => el("tr", {}, el("th", { scope: "row", text: t("s_" + s.stage) }),
      el("td", { class: "n", text: fmt(s.tco2e_per_t, 4) }), el("td", { class: "n", text: fmt(s.market_based_tco2e_per_t ?? s.tco2e_per_t, 4) }))));
    labelCells($("d-stage-table"));
    renderPACT();
    renderCBAM();
    renderDeclETS();
    renderVerify();
  }
  // renderPACT shows the declaration as the PACT v2 ProductFootprint a data
  // recipient gets from /2/footprints/{id}: headline fields, then the JSON.
  function renderPACT() {
    if (lastPact.e) {
      kvRows($("d-pact"), [[t("pactView"), lastPact.e.message]]);
      $("d-pact-json").textContent = "";
      return;
    }
    const pf = lastPact.v.data, pcf = pf.pcf || {};
    // PACT's period end is exclusive (the first instant after it): shown
    // as the last day, like every period on the page.
    const day = (iso) => String(iso || "").slice(0, 10);
    const lastDay = (iso) => { const d = new Date(iso); if (Number.isNaN(d.getTime())) return day(iso); d.setUTCSeconds(d.getUTCSeconds() - 1); return d.toISOString().slice(0, 10); };
    const unit = pcf.declaredUnit === "kilogram" ? "kg" : pcf.declaredUnit;
    kvRows($("d-pact"), [["id", pf.id], [t("status"), code("st_", String(pf.status).toLowerCase())], [t("specVersion"), pf.specVersion],
      [explained(t("pcfExcl"), "pcfExplain"), fmt(Number(pcf.pCfExcludingBiogenic), 4) + " kg CO2e/" + unit],
      [t("unitaryAmount"), fmt(Number(pcf.unitaryProductAmount), 0) + " " + unit + " / " + t("productUnit")],
      [explained(t("pds"), "pdsExplain"), fmt(Number(pcf.primaryDataShare), 0) + " %"],
      [explained(t("period"), "periodExplain"), day(pcf.referencePeriodStart) + " – " + lastDay(pcf.referencePeriodEnd)],
      [t("productIds"), (pf.productIds || []).join(", ")]]);
    $("d-pact-json").textContent = JSON.stringify(pf, null, 2);
  }
  // renderInstallation shows the installation the publisher named at
  // publication (metadata, optional): name, city and country, UN/LOCODE.
  function renderInstallation(m) {
    const a = (m && m.address) || {};
    const name = m && [m.installation_name, m.installation_name_local].filter(Boolean).join(" / ");
    const parts = [name, [a.city, a.country].filter(Boolean).join(", "), m && m.unlocode ? t("unlocode") + " " + m.unlocode : ""].filter(Boolean);
    $("d-inst").hidden = !parts.length;
    $("d-inst").textContent = parts.length ? t("installation") + (lang === "zh" ? "：" : ": ") + parts.join(" · ") : "";
  }
  function renderCBAM() {
    // The CBAM file exists where the CBAM view does (a 409 for the other).
    $("d-cbam-file").hidden = !!lastCbam.e;
    if (lastCbam.e) {
      kvRows($("d-cbam"), [["CBAM", lastCbam.e.message]]); // 409: a product without a CBAM view
      return;
    }
    const c = lastCbam.v;
    kvRows($("d-cbam"), [[t("cnCode"), c.cn_code], [t("seeDirect"), fmt(c.see_direct_tco2e_per_t) + " " + t("u_tco2e_t")],
      [t("seeIndirect"), fmt(c.see_indirect_tco2e_per_t) + " " + t("u_tco2e_t")], [t("obligation"), fmt(c.obligation_tco2e_per_t) + " " + t("u_tco2e_t")],
      [t("cbamDefault"), c.default_value_tco2e_per_t === undefined ? t("na") : fmt(c.default_value_tco2e_per_t) + " " + t("u_tco2e_t")]]);
  }
  // renderDeclETS shows the declaration's China ETS summary: per t, per
  // year and each allocation year's balance, or the API's reason it has none.
  function renderDeclETS() {
    if (lastEts.e) {
      kvRows($("d-ets"), [[t("etsH"), lastEts.e.message]]); // 409: a product or a dataset before 2026.2
      return;
    }
    const s = lastEts.v, e = s.ets;
    const alloc = (e.allocation || []).map((y) => [t("etsAlloc") + " " + y.year, y.balance_tco2e === null || y.balance_tco2e === undefined
      ? t("etsBenchmark") + ": " + (y.benchmark_tco2e_per_t === null ? t("notPublished") : fmt(y.benchmark_tco2e_per_t))
      : t("etsBalance") + ": " + fmt(y.balance_tco2e)]);
    kvRows($("d-ets"), [[t("period"), s.reporting_period.start + " – " + s.reporting_period.end], [t("etsProcess"), perT(e.process_tco2e_per_t)],
      [t("etsEnterprise"), perT(e.enterprise_tco2e_per_t)], [t("etsPurchased"), fmt(e.purchased_electricity_mwh_per_t) + " MWh/t"]]
      .concat(e.annual ? [[t("etsAnnualProcess"), fmt(e.annual.process_tco2e) + " " + t("tPerYrCO2e")], [t("etsKeyEmitter"), yesNo(e.annual.key_emitter)]] : [])
      .concat(alloc));
  }
  async function verifyDeclaration() {
    if (!openID) return;
    const n = nextSeq("verify"), id = openID;
    setStatus("verify-status", "loading");
    setBusy("verify", true);
    try {
      const v = await apiFetch(declPath(id) + "/verify");
      if (!isLatest("verify", n) || id !== openID) return;
      lastVerify = v;
      renderVerify();
    } catch (e) {
      if (isLatest("verify", n)) setStatus("verify-status", e.message, true);
    } finally {
      if (isLatest("verify", n)) setBusy("verify", false);
    }
  }
  function renderVerify() {
    const v = lastVerify;
    if (!v) { $("d-verify").replaceChildren(); return; }
    const yn = (b) => (b ? t("yes") : t("no"));
    kvRows($("d-verify"), [[t("reproduced"), yn(v.reproduced)], [t("hashValid"), yn(v.stored_hash_valid)],
      [t("matches"), yn(v.result_matches)], [t("stored"), fmt(v.stored_total_tco2e_per_t, 4) + " " + t("u_tco2e_t")],
      [t("recomputed"), v.recomputed_total_tco2e_per_t === undefined ? t("na") : fmt(v.recomputed_total_tco2e_per_t, 4) + " " + t("u_tco2e_t")],
      [t("notes"), (v.notes || []).join(" ")]]);
    setStatus("verify-status", v.reproduced ? "✔ " + t("reproduced") : "✘ " + t("reproduced") + ": " + t("no"), !v.reproduced);
  }

  // ---- wiring -----------------------------------------------------------------
  // loadGlossary merges web/static/glossary.json — the terms the page and
  // the README share — into the dictionary (its key, zh and en).
  async function loadGlossary() {
    try {
      const g = await apiFetch("/static/glossary.json");
      g.terms.forEach((term) => { dict.en[term.key] = term.en; dict.zh[term.key] = term.zh; });
    } catch (e) {
      setStatus("plant-status", e.message, true);
    }
  }
  // The three tasks: ?task=plant|compare|supplier opens the page on one.
  const TASKS = { plant: "plant", compare: "scenarios", supplier: "buyers" };
  // taskInView: the task opened from the URL stays at the top while the
  // results above it arrive, until the reader scrolls or types.
  let taskInView = null;
  const keepTaskInView = () => { if (taskInView) showTask(taskInView, true); };
  ["wheel", "touchstart", "keydown", "mousedown"].forEach((ev) => window.addEventListener(ev, () => { taskInView = null; }, { passive: true }));
  function showTask(task, scroll) {
    document.querySelectorAll(".task").forEach((a) => a.setAttribute("aria-current", String(a.dataset.task === task)));
    const target = $(TASKS[task]);
    if (!target || !scroll) return;
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  }
  function goTask(task) {
    const q = new URLSearchParams(location.search);
    q.set("task", task);
    history.replaceState(null, "", "?" + q + location.hash);
    showTask(task, true);
    if (task === "compare" && !lastScen) computeScenarios();
  }
  async function init() {
    window.alcarbon = { keys: () => Object.keys(dict.en), t: (k) => t(k) }; // for the browser tests: no dictionary key may show
    await loadGlossary();
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
    if ($("variants").rows.length === 0) { addVariantRow(); addVariantRow(); addVariantRow(); }
    $("plant-form").addEventListener("submit", (ev) => { ev.preventDefault(); computePlant(); });
    $("p-dataset").addEventListener("change", () => { delete $("p-dataset").dataset.pending; });
    $("plant-form").addEventListener("input", saveHash);
    $("plant-form").addEventListener("input", () => unblock("plant"));
    $("scen-form").addEventListener("input", () => unblock("scen"));
    $("sweep-form").addEventListener("input", () => unblock("sweep"));
    $("buy-form").addEventListener("input", () => unblock("buy"));
    document.querySelectorAll(".task").forEach((a) => a.addEventListener("click", (ev) => { ev.preventDefault(); goTask(a.dataset.task); }));
    $("clear-filters").addEventListener("click", () => { ["b-product", "b-company", "b-region"].forEach((id) => { $(id).value = ""; }); searchDeclarations(); });
    $("plant-form").addEventListener("change", saveHash);
    $("add-source").addEventListener("click", () => { const tr = addSourceRow(); tr.querySelector("select").focus(); saveHash(); });
    $("preset").addEventListener("click", () => { writePlant(SHANXI); saveHash(); computePlant(); });
    $("copy-curl").addEventListener("click", () => copyText(curlFor("/v1/footprints/primary", plantRequest(readPlant())), "plant-status"));
    $("scen-form").addEventListener("submit", (ev) => { ev.preventDefault(); computeScenarios(); });
    $("scen-form").addEventListener("input", saveHash);
    $("scen-form").addEventListener("change", saveHash);
    $("s-kind").addEventListener("change", syncKind);
    $("add-variant").addEventListener("click", () => { addVariantRow(); saveHash(); });
    // Every request the comparison makes: compare, one uncertainty run per
    // scenario when the band is on, and the monthly chart's two requests.
    $("copy-curl-scen").addEventListener("click", () => {
      const req = scenarioRequest();
      const lines = [curlFor("/v1/scenarios/compare", req)];
      for (let i = 0; $("s-unc").checked && i <= req.variants.length; i++) lines.push(curlFor("/v1/uncertainty", uncertaintyRequest(req, i)));
      if (lastMonthly) lines.push(curlFor("/v1/footprints/primary", lastMonthly.plantReq), curlFor("/v1/pv", lastMonthly.req));
      copyText(lines.join("\n"), "scen-status");
    });
    $("sweep-form").addEventListener("submit", (ev) => { ev.preventDefault(); computeSweep(); });
    $("sweep-form").addEventListener("input", saveHash);
    $("copy-curl-sweep").addEventListener("click", () => copyText(curlFor("/v1/scenarios/sweep", sweepRequest()), "sweep-status"));
    $("buy-form").addEventListener("submit", (ev) => { ev.preventDefault(); searchDeclarations(); });
    $("verify").addEventListener("click", verifyDeclaration);
    $("bt-key").value = sessionStorage.getItem(KEY_STORE) || "";
    $("bt-key").addEventListener("input", () => {
      const k = $("bt-key").value.trim();
      if (k) sessionStorage.setItem(KEY_STORE, k); else sessionStorage.removeItem(KEY_STORE);
    });
    $("bt-kind").addEventListener("change", syncTemplateLinks);
    $("batch-form").addEventListener("submit", (ev) => { ev.preventDefault(); uploadBatch(); });
    $("batch-form").addEventListener("input", () => unblock("batch"));
    $("bt-csv").addEventListener("click", () => downloadResults("csv"));
    $("bt-xlsx").addEventListener("click", () => downloadResults("xlsx"));
    $("bt-cancel").addEventListener("click", cancelJob);
    // Leaving the page stops following a job; a page restored from the
    // back-forward cache goes on.
    window.addEventListener("pagehide", () => { if (activeJob) clearTimeout(activeJob.timer); });
    window.addEventListener("pageshow", (ev) => { if (ev.persisted && activeJob) pollJob(activeJob); });
    const curlGet = (path) => "curl -s '" + location.origin + path + "'";
    $("copy-curl-buy").addEventListener("click", () => copyText(curlGet(searchQuery()), "buy-status"));
    $("copy-curl-verify").addEventListener("click", () => {
      if (!openID) return;
      const base = declPath(openID);
      copyText([base, base + "/verify", base + "/pact", base + "/cbam", base + "/ets"].map(curlGet).join("\n"), "verify-status");
    });
    applyLang();
    loadSites();
    loadProducts();
    loadRegions();
    loadDatasets();
    // Charts take their container's width: redraw them when it changes.
    let resizeTimer = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (lastPlant) renderPlant(lastPlant);
        if (lastScen) renderScenarios(lastScen);
        if (lastSweep) drawSweep(lastSweep);
      }, 200);
    });
    // Result first: the prefilled plant is computed at once, the buyers'
    // list is there on arrival, and a task in the URL opens on that task.
    computePlant();
    searchDeclarations();
    const task = new URLSearchParams(location.search).get("task");
    if (TASKS[task]) {
      taskInView = task;
      showTask(task, true);
      if (task === "compare") computeScenarios();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
