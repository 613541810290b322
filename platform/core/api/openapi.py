"""The API described for people and machines: an OpenAPI 3.1 document served at
/api/v1/openapi.json and drawn as a page at /api/docs (rendered here, no CDN).

Every endpoint of the `api` blueprint is described in ENDPOINTS, keyed by its URL rule and method;
tests/foundation/test_openapi.py fails when a route has no description here, or a description has
no route — so a new endpoint cannot ship undocumented.
"""
from flask import current_app, jsonify

from .views import MAX_PER_PAGE, bp

TOKEN = [{"bearer": []}]


def _query(name: str, description: str, *, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": kind}}


PAGING = [
    _query("page", "页码，从 1 开始", schema={"type": "integer", "minimum": 1, "default": 1}),
    _query("per_page", f"每页条数，最多 {MAX_PER_PAGE}", schema={"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
]
STATS_FILTERS = [
    _query("year", "统计年度，如 2025", schema={"type": "integer"}),
    _query("city", "设区市行政区划代码，如 450100（南宁市）"),
    _query("industry", "国民经济行业代码（GB/T 4754 大类两位）"),
    _query("park", "园区编号", schema={"type": "integer"}),
]
USCC = _path("uscc", "统一社会信用代码（18 位）")


def _ok(description: str, schema: str | None = None) -> dict:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}} if schema else {
        "application/json": {"schema": {"type": "object"}}}
    return {"description": description, "content": content}


def _errors(*codes: int) -> dict:
    words = {400: "请求有误", 401: "缺少或无效的访问令牌", 403: "令牌的角色无权调用", 404: "不存在或不在本行政区域内",
             409: "与当前状态冲突", 422: "参数或内容不符合规则（error.field 指出哪一项）", 503: "检索服务暂不可用"}
    return {str(code): {"description": words[code], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for code in codes}


def _body(description: str, properties: dict, required: list[str]) -> dict:
    return {"required": True, "description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


# (URL rule as Flask writes it, method) -> operation
ENDPOINTS: dict[tuple[str, str], dict] = {
    ("/api/v1/", "GET"): {
        "summary": "接口名称与版本", "tags": ["公开"], "security": [],
        "description": "返回接口名称和版本号，可用于检查接口是否可用。",
        "responses": {"200": _ok("名称与版本")}},
    ("/api/v1/rules", "GET"): {
        "summary": "平台适用的规则与依据", "tags": ["公开"], "security": [],
        "description": "平台适用的每项期限、罚款幅度、公示期、合格线和专家组人数，及其法律依据，标明是法定还是本地做法（与“规则与依据”页面相同）。",
        "responses": {"200": _ok("规则列表")}},
    ("/api/v1/enterprises/<uscc>/audit-status", "GET"): {
        "summary": "企业清洁生产审核状态（公开）", "tags": ["公开"], "security": [], "parameters": [USCC],
        "description": "按统一社会信用代码查询企业的审核轮次、各环节日期与期限（公示信息，不含联系方式）；"
                       "每个轮次含适用的审核程序（完整/简化）及其步骤（steps），以评价认证视同审核的含证书信息（certification）；"
                       "因列入情形须公开信息的轮次含 disclosure（《清洁生产审核办法》第十一条）：required（列入情形 over_discharge、"
                       "over_energy、toxic）、complete（是否填写完整，未完整的不计为已公开）、missing、complete_on（平台收齐之日），"
                       "以及 forms：每张信息公开表的最新版本（cause、label、article、version、recorded_on、corrected、"
                       "correction_note、content 即填报内容：污染物名称、排放方式、浓度、限值、年排放量、许可排放量；能源品种及消耗量、"
                       "综合能耗（tce）、单位产值能耗、单位产品能耗与限额标准；有毒有害原料、排放的有毒有害物质、危险废物的产生和处置、"
                       "环境风险防控措施；数量为十进制字符串），findings 为每行对照限值的结论（超标、超总量、超限额）；"
                       "permit 为审核轮次记录的排污许可情况（status：permit 已取得许可证、registered 排污登记、applying 申请中、"
                       "none 未取得，permit_no，report_year 最近提交的年度执行报告）；碳减排纳入审核的轮次含 carbon（baseline_year、"
                       "baseline_t 基准年排放量 tCO2、intensity 与 intensity_unit 碳排放强度、target_year、target_reduction_t 减排目标 tCO2/年）。",
        "responses": {"200": _ok("企业及其审核轮次"), **_errors(404, 422)}},
    ("/api/v1/technologies", "GET"): {
        "summary": "检索清洁生产技术目录", "tags": ["公开"], "security": [],
        "description": "中文全文检索已发布的清洁生产技术，返回高亮片段和分类统计（facets）。",
        "parameters": [_query("q", "关键词，如“余热回收”"), _query("industry", "行业代码"),
                       _query("category", "类别"), _query("source", "来源目录"), *PAGING],
        "responses": {"200": _ok("检索结果", "Page"), **_errors(422, 503)}},
    ("/api/v1/documents", "GET"): {
        "summary": "检索清洁生产知识库", "tags": ["公开"], "security": [],
        "description": "中文全文检索已发布的评价指标体系、审核指南、案例汇编、产品导向目录和政策文件；现行有效的排在已被替代的之前，返回高亮片段和分类统计（facets）。",
        "parameters": [_query("q", "关键词，如“审核指南”"),
                       _query("kind", "类别：indicator_system、audit_guide、case_compilation、product_catalogue、policy"),
                       _query("currency", "效力：current（现行有效）或 superseded（已被替代）"),
                       _query("industry", "行业代码"), _query("issuer", "发布机关"), _query("year", "发布年份"), *PAGING],
        "responses": {"200": _ok("检索结果", "Page"), **_errors(422, 503)}},
    ("/api/v1/documents/<int:document_id>", "GET"): {
        "summary": "知识库文件及其版本沿革", "tags": ["公开"], "security": [],
        "parameters": [_path("document_id", "文件编号", "integer")],
        "description": "一份已发布文件的元数据、摘要、正文、PDF 地址，以及版本沿革（被替代的旧版本和替代它的新版本）。",
        "responses": {"200": _ok("文件"), **_errors(404)}},
    ("/api/v1/experts", "GET"): {
        "summary": "检索专家库（公开信息）", "tags": ["公开"], "security": [],
        "description": "已入库专家的姓名、职称、工作单位和专业；不含联系方式。",
        "parameters": [_query("q", "姓名、单位或专业领域"), _query("specialty", "专业行业代码"), *PAGING],
        "responses": {"200": _ok("检索结果", "Page"), **_errors(422, 503)}},
    ("/api/v1/service-orgs", "GET"): {
        "summary": "咨询服务机构及其业绩", "tags": ["公开"], "security": [],
        "description": "登记的清洁生产咨询服务机构，及其服务过的审核轮次的评估、验收结果统计；"
                       "不良记录计数（review_failed 评估/验收未通过、falsification_veto 弄虚作假否决、"
                       "misreporting 弄虚作假或不如实报告案件）和是否被暂停（suspended）。",
        "parameters": [_query("q", "机构名称或统一社会信用代码"), *PAGING],
        "responses": {"200": _ok("机构列表", "Page"), **_errors(422)}},
    ("/api/v1/certificates/<code>", "GET"): {
        "summary": "核验培训证书", "tags": ["公开"], "security": [], "parameters": [_path("code", "证书验证码（16 位，可含连字符）")],
        "description": "按验证码返回证书持有人姓名、单位、培训计划与班次、日期、地点、学时和发证日期；验证码不存在时返回 404。",
        "responses": {"200": _ok("证书信息"), **_errors(404)}},
    ("/api/v1/reviews/<int:panel_id>/draw", "GET"): {
        "summary": "专家抽取记录", "tags": ["公开"], "security": [], "parameters": [_path("panel_id", "专家组编号", "integer")],
        "description": "评审进行中只公开每次抽取的承诺值（SHA-256）；专家组作出结论或撤销后，公开种子、随机数和名单，任何人可据此复算。",
        "responses": {"200": _ok("抽取记录"), **_errors(404)}},
    ("/api/v1/credit-records", "GET"): {
        "summary": "公示中的行政处罚信用信息", "tags": ["公开"], "security": [],
        "description": "公示期内的行政处罚信息（双公示字段，不含法定代表人）。字段含义见数据字典。",
        "parameters": [_query("q", "企业名称或统一社会信用代码"), *PAGING],
        "responses": {"200": _ok("信用信息列表", "Page"), **_errors(422)}},
    ("/api/v1/lists", "GET"): {
        "summary": "已公布的强制性清洁生产审核名单", "tags": ["公开"], "security": [], "parameters": PAGING,
        "description": "每批名单的标题、文号（document_no）、公布日期（published_on）、发布范围和企业数，按公布日期由近及远。",
        "responses": {"200": _ok("名单列表", "Page")}},
    ("/api/v1/lists/<int:batch_id>", "GET"): {
        "summary": "一批名单及其企业", "tags": ["公开"], "security": [],
        "parameters": [_path("batch_id", "名单编号", "integer")],
        "description": "名单的文号、公布日期，及每家企业的统一社会信用代码（uscc）、列入情形（cause：over_discharge 超标或超总量、"
                       "over_energy 超过能耗限额、toxic 有毒有害物质；名单不是由规则筛选产生时为 null，见 reason）、审核程序"
                       "（procedure）、责任部门（department）和自公布日期起算的期限。",
        "responses": {"200": _ok("名单及企业"), **_errors(404)}},
    ("/api/v1/stats/summary", "GET"): {
        "summary": "清洁生产绩效汇总", "tags": ["公开"], "security": [], "parameters": STATS_FILTERS,
        "description": "所选范围的审核轮次、完成率、通过率、方案数、投资和减排量等全部指标（口径见统计页面）。",
        "responses": {"200": _ok("指标"), **_errors(422)}},
    ("/api/v1/stats/breakdown", "GET"): {
        "summary": "按年度、设区市、行业、园区或企业分组的绩效", "tags": ["公开"], "security": [],
        "parameters": [_query("by", "分组方式：year、city、industry、park 或 enterprise（按企业须监管部门令牌）",
                              schema={"type": "string", "enum": ["year", "city", "industry", "park", "enterprise"]}),
                       *STATS_FILTERS, *PAGING],
        "description": "按企业分组须附监管部门的访问令牌，且仅限其行政区域。",
        "responses": {"200": _ok("分组结果"), **_errors(401, 403, 422)}},
    ("/api/v1/enterprises", "GET"): {
        "summary": "企业名录（监管部门）", "tags": ["监管部门"], "security": TOKEN,
        "description": "本行政区域内的企业；设区市监管部门只见本市企业。",
        "parameters": [_query("q", "企业名称或统一社会信用代码"), _query("city", "设区市代码"), _query("industry", "行业代码"),
                       _query("flag", "强制审核情形"), *PAGING],
        "responses": {"200": _ok("企业列表", "Page"), **_errors(401, 403, 422)}},
    ("/api/v1/enterprises/<uscc>", "GET"): {
        "summary": "企业详情（监管部门）", "tags": ["监管部门"], "security": TOKEN, "parameters": [USCC],
        "description": "企业登记信息；其他设区市的企业按不存在处理（404）。",
        "responses": {"200": _ok("企业"), **_errors(401, 403, 404)}},
    ("/api/v1/cases", "GET"): {
        "summary": "违规案件（监管部门）", "tags": ["监管部门"], "security": TOKEN,
        "description": "合规扫描立案的违规案件，按状态和企业筛选。",
        "parameters": [_query("status", "案件状态：open、rectifying、overdue、rectified、closed、penalized"),
                       _query("q", "企业名称或统一社会信用代码"), *PAGING],
        "responses": {"200": _ok("案件列表", "Page"), **_errors(401, 403, 422)}},
    ("/api/v1/cases/<int:case_id>", "GET"): {
        "summary": "违规案件详情（监管部门）", "tags": ["监管部门"], "security": TOKEN,
        "parameters": [_path("case_id", "案件编号", "integer")], "description": "一件违规案件的情形、期限和状态。",
        "responses": {"200": _ok("案件"), **_errors(401, 403, 404)}},
    ("/api/v1/cases/<int:case_id>/rectification", "POST"): {
        "summary": "责令限期整改", "tags": ["监管部门"], "security": TOKEN,
        "parameters": [_path("case_id", "案件编号", "integer")],
        "description": "对待处理或逾期的案件责令限期整改，记入审计日志。",
        "requestBody": _body("整改期限与要求", {"deadline": {"type": "string", "format": "date", "description": "整改期限（YYYY-MM-DD）"},
                                          "note": {"type": "string", "description": "整改要求"}}, ["deadline"]),
        "responses": {"200": _ok("更新后的案件"), **_errors(401, 403, 404, 422)}},
    ("/api/v1/cases/<int:case_id>/penalty", "POST"): {
        "summary": "录入行政处罚决定", "tags": ["监管部门"], "security": TOKEN,
        "parameters": [_path("case_id", "案件编号", "integer")],
        "description": "录入对逾期未整改案件的行政处罚决定，同时生成待审核的信用记录（双公示）。",
        "requestBody": _body("行政处罚决定书的内容", {
            "decision_no": {"type": "string", "description": "行政处罚决定书文号"},
            "decided_on": {"type": "string", "format": "date", "description": "处罚决定日期"},
            "facts": {"type": "string", "description": "违法事实"}, "legal_basis": {"type": "string", "description": "处罚依据"},
            "fine_yuan": {"type": ["number", "string"], "description": "罚款金额（元）"},
            "severity": {"type": "string", "description": "失信程度"}, "office_name": {"type": "string", "description": "处罚机关"},
            "office_uscc": {"type": "string", "description": "处罚机关统一社会信用代码"},
            "violation_type": {"type": "string", "description": "违法行为类型"}, "remarks": {"type": "string", "description": "备注"}},
            ["decision_no", "decided_on", "facts", "legal_basis", "fine_yuan", "office_name", "office_uscc"]),
        "responses": {"201": _ok("生成的信用记录"), **_errors(401, 403, 404, 409, 422)}},
    ("/api/v1/credit-records/<int:record_id>/approve", "POST"): {
        "summary": "审核通过信用记录", "tags": ["监管部门"], "security": TOKEN,
        "parameters": [_path("record_id", "信用记录编号", "integer")],
        "description": "审核通过后，信用记录由定时任务报送信用中国（广西）并公示。录入人不能审核本人录入的记录。",
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"note": {"type": "string", "description": "审核意见"}}}}}},
        "responses": {"200": _ok("信用记录"), **_errors(401, 403, 404, 422)}},
    ("/api/v1/two-high/projects", "GET"): {
        "summary": "“两高”项目清单", "tags": ["监管"], "security": TOKEN,
        "description": "存量、在建、拟建“两高”项目及其能效水平、产能置换和预警（warnings）；发展改革、工业和信息化、生态环境部门"
                       "监管账号的令牌，只返回本辖区的项目；其他部门的令牌得不到任何项目。",
        "parameters": [_query("city", "设区市行政区划代码"), _query("sector", "行业（如 steel_bof、cement_clinker）"),
                       _query("stage", "项目阶段：planned（拟建）、building（在建）、existing（存量）"),
                       _query("warning", "预警：below_baseline、no_replacement、controlled_planned"), *PAGING],
        "responses": {"200": _ok("项目列表", "Page"), **_errors(401, 403, 422)}},
    ("/api/v1/results/<use_key>", "GET"): {
        "summary": "审核结果应用清单（部门系统）", "tags": ["监管"], "security": TOKEN,
        "parameters": [_path("use_key", "清单：tiered_power_price（阶梯电价）、water_quota（用水定额）、weather_grading"
                                        "（重污染天气绩效分级）、green_procurement（绿色采购）、green_credit（绿色信贷）"),
                       _query("as_of", "截至日期 YYYY-MM-DD（默认今天，北京时间）"), *PAGING],
        "description": "有效期内验收合格并评定清洁生产水平的企业（Ⅰ级优先），附清单依据、截至日期和有效期；须部门监管账号的令牌。",
        "responses": {"200": _ok("清单"), **_errors(401, 403, 404, 422)}},
    ("/api/v1/leading-firms", "GET"): {
        "summary": "国际清洁生产领先水平企业（公开）", "tags": ["公开"], "security": [],
        "parameters": [_query("as_of", "截至日期 YYYY-MM-DD（默认今天，北京时间）"), *PAGING],
        "description": "验收评定为Ⅰ级（国际清洁生产领先水平）且在有效期内的企业。",
        "responses": {"200": _ok("清单"), **_errors(422)}},
}

# The document's own address is described too (a client finds the rest from it).
ENDPOINTS[("/api/v1/openapi.json", "GET")] = {
    "summary": "本接口说明（OpenAPI 3.1）", "tags": ["公开"], "security": [],
    "description": "机器可读的接口说明；人可读的版本见 /api/docs。", "responses": {"200": _ok("OpenAPI 文档")}}


def _openapi_path(rule: str) -> str:
    """/api/v1/cases/<int:case_id> -> /cases/{case_id} (servers holds the /api/v1 prefix)."""
    import re

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix("/api/v1")) or "/"


def document() -> dict:
    paths: dict[str, dict] = {}
    for (rule, method), operation in ENDPOINTS.items():
        endpoint = _endpoint_of(rule, method)
        paths.setdefault(_openapi_path(rule), {})[method.lower()] = {"operationId": endpoint, **operation}
    return {
        "openapi": "3.1.0",
        "info": {"title": "广西清洁生产信息平台 API", "version": "v1",
                 "description": "公开接口无需令牌；监管部门接口须在请求头中附 `Authorization: Bearer <令牌>`（在“API令牌”页面签发）。"
                                "日期为北京时间的 YYYY-MM-DD；错误以 `{\"error\": {\"code\", \"message\", \"field\"}}` 返回，message 为中文。",
                 "contact": {"name": current_app.config.get("SITE_OPERATOR", "")}},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": "公开", "description": "任何人可调用"}, {"name": "监管部门", "description": "须监管部门的访问令牌"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "平台签发的访问令牌（gxcp_…）"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
                    "required": ["code", "message"]}}},
                "Page": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}},
                                                          "total": {"type": "integer"}, "page": {"type": "integer"},
                                                          "per_page": {"type": "integer"}}},
            },
        },
    }


def _endpoint_of(rule: str, method: str) -> str:
    for url_rule in current_app.url_map.iter_rules():
        if url_rule.rule == rule and method in url_rule.methods:
            return url_rule.endpoint
    return ""


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
