"""Who may open and who may act on every address of the platform: the URL map × every role.

Every rule of `app.url_map` (but `static`) has an entry in ROUTES saying, per role, what a GET answers
and — for rules that take POST — whether the role may act (OK) or how it is refused. A new route
with no entry fails `test_every_route_has_an_entry` by name, so someone decides who may use it.

The world (routes_world.py) owns its objects in city A (南宁 450100). Per role:

    anonymous      pages send it to the login page (LOGIN); the API answers 401 without a token
    enterprise_a   the enterprise whose round, schemes, credit records and cases they are
    enterprise_b   an enterprise of city B (柳州 450200): none of A's objects is its business
    expert         a member of round A's review panel
    service_org    the consultancy that does round A's audit
    regulator_a    city A's regulator            regulator_b  city B's regulator
    province       the province's regulator (450000)            admin  the system administrator

A refused POST must write nothing (every table but reference data compared before and after); a
role's listing pages must not show city A's enterprise unless the role may see it (`sees`); no answer
shows contact data to a role outside CONTACTS; every answer carries the security headers.
Another city's object is refused with 403, the platform's answer for "not yours" (services raise
PermissionDenied after NotFound, so an unknown id is 404 for everyone).
"""
from dataclasses import dataclass
from datetime import timedelta

import pytest

from platform.enterprises.uscc import make
from platform.audits.rules import ART39
from routes_world import (PDF, ROLES, TODAY, Walker, body_text, built_world, changed_tables,  # noqa: F401
                          fingerprint, is_login_redirect, walker)

ANON, ENT_A, ENT_B, EXPERT, ORG, REG_A, REG_B, PROV, ADMIN = ROLES
LOGIN = "login"  # 302 to the login page
OK = "ok"  # may act: any answer but a refusal (a 4xx validation answer or a redirect is fine)
REFUSALS = {401, 403, 404, 405}
A_SIDE = (REG_A, PROV, ADMIN)  # who sees city A's objects in the regulators' lists
# Another city's or another firm's object answers as a missing one does (errors.NotFound): its id
# does not tell that it exists. A refusal by role, before any lookup, stays 403.
OUTSIDE = 404
HIDDEN_FROM_B = {"enterprise_b": OUTSIDE, "regulator_b": OUTSIDE}

DAY = TODAY.isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
NEXT_MONTH = (TODAY + timedelta(days=30)).isoformat()
NEW_USCC_A = make("450100", 8801)


def everyone(status) -> dict:
    return dict.fromkeys(ROLES, status)


def signed_in(default=403, *, anonymous=LOGIN, **by_role) -> dict:
    """Pages behind a login: `anonymous` goes to the login page, the roles named answer as given."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"not a role: {unknown}"
    return {**dict.fromkeys(ROLES, default), ANON: anonymous, **by_role}


def api(default=403, **by_role) -> dict:
    """API endpoints behind a bearer token: 401 without one."""
    return signed_in(default, anonymous=401, **by_role)


def roles(value, *names) -> dict:
    return dict.fromkeys(names, value)


PUBLIC = everyone(200)
REGULATORS_AND_ADMIN = signed_in(**roles(200, REG_A, REG_B, PROV, ADMIN))
A_REGULATORS_AND_ADMIN = signed_in(**roles(200, REG_A, PROV, ADMIN))  # an object of city A
ENTERPRISES = signed_in(**roles(200, ENT_A, ENT_B))


@dataclass
class Check:
    """One address of a rule, and what each role gets there.

    get: role -> status of a GET (or LOGIN). Defaults to 405 for everyone when the rule takes no GET.
    post: role -> OK or the refusal's status; refused POSTs must write nothing.
    data / json: the POST's form or JSON body; `{name}` is replaced by the world's ids; a tuple
    (bytes, filename) is an uploaded file.
    sees: with `private`, the roles whose 200 must show city A's enterprise; every other 200 must not.
    Whatever the route, CONTACTS says who may ever read a piece of contact data.
    """

    path: str
    get: dict | None = None
    post: dict | None = None
    data: dict | None = None
    json: dict | None = None
    private: bool = False
    sees: tuple = A_SIDE
    marker: tuple = ("{ent_a_name}", "{ent_a_uscc}")
    searched: bool = False  # the page lists what the search index holds: index the world first


def route(*checks: Check) -> list[Check]:
    return list(checks)


# Contact data is never in public views (DESIGN §2): who may read each piece, on any page or answer.
CONTACTS = {
    "{expert_phone}": (EXPERT, REG_A, REG_B, PROV, ADMIN),  # the expert, and the regulators of the pool
    "{expert_email}": (EXPERT, REG_A, REG_B, PROV, ADMIN),
    "{ent_a_phone}": (ENT_A, *A_SIDE),  # the enterprise, and its regulators
    "{org_phone}": (ORG, REG_A, REG_B, PROV, ADMIN),
}


ENTERPRISE_FORM = {"name": "南宁戊制药有限公司", "uscc": NEW_USCC_A, "division_code": "450100",
                   "industry_code": "2710", "park_id": "", "permit_class": ""}
SCHEME_FORM = {"code": "F-01", "name": "余热回收改造（修订）", "category": "low_cost", "status": "completed",
               "completed_on": "2025-06-30", "energy_tce": "13", "investment_wan_yuan": "3"}
EXPERT_PROFILE = {"name": "甲专家", "title": "教授", "employer": "广西大学", "employer_uscc": make("450100", 610001),
                  "industry_codes": "31", "fields": "节能", "qualifications": "", "years_of_practice": "16",
                  "phone": "13912345678", "email": ""}
PENALTY = {"decision_no": "南环罚〔2026〕98号", "decided_on": YESTERDAY, "fine_yuan": "100000", "severity": "general",
           "facts": "逾期未开展清洁生产审核，经责令限期整改仍未改正。", "legal_basis": ART39.legal_basis,
           "violation_type": ART39.violation_type, "office_name": "南宁市生态环境局"}
CSV_ENTERPRISE = ("企业名称,统一社会信用代码,行政区划代码,行业代码\n"
                  f"南宁戊制药有限公司,{NEW_USCC_A},450100,2710\n").encode()
CSV_SCHEME = ("统一社会信用代码,方案编号,方案名称,方案类别,投资（万元）,状态\n"
              "{ent_a_uscc},F-09,新增方案,无低费,1,计划实施\n")

ROUTES: dict[str, list[Check]] = {
    # --- public pages -----------------------------------------------------------------------------
    "public.index": route(Check("/", PUBLIC)),
    "public.healthz": route(Check("/healthz", PUBLIC)),
    "audits.public_batches": route(Check("/lists", PUBLIC)),
    "audits.public_batch": route(Check("/lists/{batch_a}", PUBLIC), Check("/lists/999999", everyone(404))),
    "audits.public_lookup": route(Check("/audit-status", PUBLIC),
                                  Check("/audit-status?q={ent_a_uscc}", everyone(302))),
    "audits.public_status": route(Check("/audit-status/{ent_a_uscc}", PUBLIC)),
    "catalogue.search_page": route(Check("/technologies", PUBLIC, searched=True)),
    "knowledge.search_page": route(Check("/knowledge", PUBLIC, searched=True)),
    "knowledge.export": route(Check("/knowledge/export.xlsx", PUBLIC, searched=True)),
    "knowledge.detail": route(Check("/knowledge/{doc_pub}", PUBLIC),  # a draft is the regulators' and admins' alone
                              Check("/knowledge/{doc_draft}", {**everyone(404), **roles(200, REG_A, REG_B, PROV, ADMIN)})),
    "knowledge.pdf": route(Check("/knowledge/{doc_pub}/file.pdf", PUBLIC),
                           Check("/knowledge/{doc_draft}/file.pdf", everyone(404))),  # no PDF, and not public
    "catalogue.export": route(Check("/technologies/export.xlsx", PUBLIC, searched=True)),
    "catalogue.detail": route(Check("/technologies/{tech_pub}", PUBLIC),
                              Check("/technologies/{tech_draft}", everyone(404))),  # a draft is not public
    "credit.public_records": route(Check("/credit", PUBLIC)),
    "credit.public_record": route(Check("/credit/r/{record_pub_key}", PUBLIC),
                                  Check("/credit/r/gxcp-not-a-key", everyone(404))),
    "credit.public_export": route(Check("/credit/export.csv", PUBLIC)),
    "experts.directory": route(Check("/experts", PUBLIC, searched=True)),
    "experts.service_orgs": route(Check("/service-orgs", PUBLIC)),
    "experts.service_org_detail": route(Check("/service-orgs/{org_a}", PUBLIC)),
    "reviews.public_panels": route(Check("/reviews", PUBLIC)),
    "reviews.public_panel": route(Check("/reviews/{panel_a}", PUBLIC)),
    "stats.public_page": route(Check("/stats", PUBLIC)),
    "public.map": route(Check("/map", PUBLIC)),
    # Subscribing (without SMTP the form is refused beside the e-mail field); links are the mails' own.
    "subscriptions.subscribe": route(Check("/subscribe", get=PUBLIC, post=everyone(OK),
                                           data={"email": "reader@example.com", "kind": "city", "city": "450100"})),
    "subscriptions.confirm": route(Check("/subscribe/1/not-a-token/confirm", get=everyone(404), post=everyone(404))),
    "subscriptions.unsubscribe": route(Check("/subscribe/1/not-a-token/unsubscribe", get=everyone(404),
                                             post=everyone(404))),
    "subscriptions.feed": route(Check("/feeds/city/450100.atom", PUBLIC),
                                Check("/feeds/enterprise/{ent_a_uscc}.atom", PUBLIC),
                                Check("/feeds/city/999999.atom", everyone(404))),
    "stats.public_export": route(Check("/stats/export/by_city.csv", PUBLIC)),

    # --- accounts ---------------------------------------------------------------------------------------
    "accounts.login": route(Check(
        "/login", get={**everyone(302), ANON: 200}, post={**everyone(302), ANON: OK},
        data={"username": "admin", "password": "wrong-password-1"})),
    "accounts.logout": route(Check("/logout", post=signed_in(OK))),
    "accounts.change_password": route(Check(
        "/account/password", get=signed_in(200), post=signed_in(OK),
        data={"current_password": "wrong-password-1", "new_password": "Neues-Passw0rt", "confirm": "Neues-Passw0rt"})),
    "accounts.users": route(Check("/admin/users", signed_in(admin=200))),
    "accounts.workbench": route(Check("/workbench", REGULATORS_AND_ADMIN)),
    # Without SMTP the page says whom to ask, to everyone; a link that is no link is missing for everyone.
    "accounts.forgot_password": route(Check("/password/forgot", get=PUBLIC, post=everyone(OK), data={"username": "admin"})),
    "accounts.reset_password": route(Check("/password/reset/not-a-token", get=everyone(404), post=everyone(404),
                                           data={"new_password": "Neues-Passw0rt", "confirm": "Neues-Passw0rt"})),
    # An enterprise asks for an account: anyone may file (a second filing is refused beside the field).
    "accounts.request_account": route(Check(
        "/account-request", get=PUBLIC, post=everyone(OK),
        data={"uscc": "{ent_a3_uscc}", "enterprise_name": "南宁丁材料有限公司", "username": "ent-a3",
              "contact_person": "丁联系人", "contact_phone": "0771-5550004", "contact_email": "a3@example.com",
              "proof": (PDF, "营业执照.pdf")})),
    "accounts.account_requests_index": route(Check("/account-requests", REGULATORS_AND_ADMIN)),
    "accounts.account_request": route(Check(
        "/account-requests/{account_request}", get={**A_REGULATORS_AND_ADMIN, REG_B: OUTSIDE},
        post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE), data={"decision": "reject", "reason": "材料不清晰"})),
    "accounts.account_request_proof": route(Check("/account-requests/{account_request}/proof",
                                                  {**A_REGULATORS_AND_ADMIN, REG_B: OUTSIDE})),
    "accounts.admin_reset_password": route(Check("/admin/users/{users[expert]}/reset-password", post=signed_in(admin=OK))),
    "accounts.new_user": route(Check(
        "/admin/users/new", get=signed_in(admin=200), post=signed_in(admin=OK),
        data={"username": "new-user", "password": "Neu-Passw0rt-1", "role": "expert", "display_name": "新用户",
              "division_code": "", "enterprise_uscc": ""})),
    "accounts.user_action": route(Check("/admin/users/{users[expert]}/deactivate", post=signed_in(admin=OK))),
    "accounts.tokens": route(Check("/account/tokens", get=signed_in(200), post=signed_in(OK), data={"name": "对接"})),
    "accounts.user_tokens": route(Check("/admin/users/{users[regulator_a]}/tokens", get=signed_in(admin=200),
                                        post=signed_in(admin=OK), data={"name": "对接"})),
    "accounts.revoke_token": route(Check("/account/tokens/{token_reg_a}/revoke",
                                         post=signed_in(404, regulator_a=OK, admin=OK))),
    "auditlog.index": route(Check("/admin/audit-log/", signed_in(admin=200))),
    "auditlog.export": route(Check("/admin/audit-log/export.xlsx", signed_in(admin=200))),

    # --- enterprises ------------------------------------------------------------------------------------
    "enterprises.index": route(Check("/enterprises/", REGULATORS_AND_ADMIN, private=True)),
    "enterprises.export": route(Check("/enterprises/export.xlsx", REGULATORS_AND_ADMIN, private=True)),
    "enterprises.detail": route(Check("/enterprises/{ent_a}", {**A_REGULATORS_AND_ADMIN, REG_B: OUTSIDE}),
                                Check("/enterprises/999999", signed_in(**roles(404, REG_A, REG_B, PROV, ADMIN)))),
    "enterprises.edit": route(Check(
        "/enterprises/{ent_a}/edit", get={**A_REGULATORS_AND_ADMIN, REG_B: OUTSIDE},
        post=signed_in(**roles(OK, REG_A, PROV, ADMIN), regulator_b=OUTSIDE),
        data={"name": "南宁甲钢铁有限公司", "uscc": "{ent_a_uscc}", "division_code": "450100", "industry_code": "3130",
              "legal_representative": "张三", "park_id": "", "permit_class": ""})),
    # Registering or importing an enterprise of city A: city B's regulator is refused beside the
    # field or in the import report (the foundation tests' messages), and nothing is written.
    "enterprises.new": route(Check(
        "/enterprises/new", get=REGULATORS_AND_ADMIN, post=signed_in(**roles(OK, REG_A, PROV, ADMIN), regulator_b=422),
        data=ENTERPRISE_FORM)),
    "enterprises.import_file": route(Check(
        "/enterprises/import", get=REGULATORS_AND_ADMIN,
        post=signed_in(**roles(OK, REG_A, PROV, ADMIN), regulator_b=200),
        data={"file": (CSV_ENTERPRISE, "企业名录.csv")})),
    "enterprises.my_profile": route(Check(
        "/enterprises/mine", get=ENTERPRISES, post=signed_in(**roles(OK, ENT_A, ENT_B)),
        data={"legal_representative": "李四", "address": "南宁市青秀区", "contact_person": "王五",
              "contact_phone": "0771-5550002"}, private=True, sees=(ENT_A,))),

    # --- audit rounds, lists, reports, cases ---------------------------------------------------------
    "audits.batches": route(Check("/audits/batches", REGULATORS_AND_ADMIN, private=True,
                                  marker=("{batch_a_title}",))),
    "audits.new_batch": route(Check(
        "/audits/batches/new", get=signed_in(**roles(200, REG_A, REG_B, PROV)),
        post=signed_in(**roles(OK, REG_A, PROV), regulator_b=422),
        data={"title": "南宁市补充名单", "published_on": DAY, "usccs": "{ent_a2_uscc}"})),
    "audits.new_park_round": route(Check(
        "/audits/park-rounds/new", get=signed_in(**roles(200, REG_A, REG_B, PROV)),
        post=signed_in(**roles(OK, REG_A, PROV), regulator_b=422),
        data={"park_id": "{park_a}", "title": "园区整体审核", "listed_on": DAY,
              "usccs": "{ent_a2_uscc}\n{ent_a3_uscc}"})),
    "audits.rounds": route(Check("/audits/rounds", REGULATORS_AND_ADMIN, private=True)),
    "audits.export_rounds": route(Check("/audits/rounds/export.xlsx", REGULATORS_AND_ADMIN, private=True)),
    "audits.round_detail": route(Check("/audits/rounds/{round_a}", signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B))),
    # The enterprise may not cancel its own round: the service refuses, the page says so (302), nothing changes.
    "audits.round_step": route(
        Check("/audits/rounds/{round_a}/cancel", post=signed_in(**roles(OK, REG_A, PROV), enterprise_a=302, **HIDDEN_FROM_B),
              data={"reason": "误列入名单"}),
        Check("/audits/rounds/{round_a}/disclose", post=signed_in(**roles(302, ENT_A, REG_A, PROV), **HIDDEN_FROM_B),
              data={"on": DAY})),  # the round is past disclosure: refused by state, for everyone
    # round_a was listed for no cause (a list typed in): it asks for no §11 form, so every form is missing
    # for its own enterprise too; another city's enterprise does not learn the round exists.
    "audits.disclosure_form": route(Check("/audits/rounds/{round_a}/disclosure/toxic",
                                          signed_in(enterprise_a=404, enterprise_b=OUTSIDE),
                                          post=signed_in(enterprise_a=404, enterprise_b=OUTSIDE),
                                          data={"enterprise_name": "南宁甲钢铁有限公司"})),
    "audits.round_permit": route(Check("/audits/rounds/{round_a}/permit", signed_in(enterprise_a=200, enterprise_b=OUTSIDE),
                                       post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE),
                                       data={"status": "permit", "permit_no": "91450100XK0009"})),
    # round_a has no carbon in scope: no carbon content to record
    "audits.round_carbon": route(Check("/audits/rounds/{round_a}/carbon", signed_in(enterprise_a=404, enterprise_b=OUTSIDE),
                                       post=signed_in(enterprise_a=404, enterprise_b=OUTSIDE),
                                       data={"baseline_year": "2024"})),
    "audits.open_case": route(Check("/audits/rounds/{round_a}/cases", post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                    data={"cause": "evaluation_failed", "note": "手工立案"})),
    "audits.upload_report": route(Check("/audits/rounds/{round_a}/report", post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE),
                                        data={"on": DAY, "file": (PDF, "修订报告.pdf")})),
    "audits.confirmations": route(Check("/audits/confirmations", REGULATORS_AND_ADMIN, private=True)),
    "audits.step_record": route(Check("/audits/steps/{step_a}", signed_in(**roles(200, REG_A, PROV, ADMIN), regulator_b=404),
                                      post=signed_in(**roles(422, REG_A, PROV), regulator_b=404, admin=403),
                                      data={"decision": "refuse", "note": "无据可查"})),
    "audits.step_evidence": route(Check("/audits/steps/{step_a}/evidence",
                                        signed_in(**roles(404, ENT_A, ENT_B, REG_A, REG_B, PROV, ADMIN)))),
    "audits.report_file": route(Check("/audits/reports/{report_a}", signed_in(**roles(200, ENT_A, *A_SIDE)))),
    "audits.my_rounds": route(Check("/audits/mine", get=ENTERPRISES, post=signed_in(**roles(OK, ENT_A, ENT_B)),
                                    data={"kind": "voluntary", "started_on": DAY}, private=True, sees=(ENT_A,))),
    # Certification as an audit: enterprise A's certificate waits for its regulator. Another city's
    # people get 404; the firm reads its own but cannot decide on it (403), nor can the admin.
    "audits.report_outline": route(Check("/audits/report-outline/full.md", PUBLIC),
                                   Check("/audits/report-outline/simplified.md", PUBLIC)),
    "audits.certifications_pending": route(Check("/audits/certifications", REGULATORS_AND_ADMIN, private=True)),
    "audits.certification": route(Check(
        "/audits/certifications/{cert_a}", get=signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B),
        post=signed_in(**roles(OK, REG_A, PROV), enterprise_a=403, admin=403, **HIDDEN_FROM_B),
        data={"decision": "reject", "note": "证书编号与公示信息不符"})),
    "audits.certification_file": route(Check("/audits/certifications/{cert_a}/file",
                                             signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B))),
    "audits.revise_certification": route(Check(
        "/audits/certifications/{cert_a}/revise", get=signed_in(**roles(200, ENT_A, REG_A, PROV), **HIDDEN_FROM_B),
        post=signed_in(**roles(OK, ENT_A, REG_A, PROV), **HIDDEN_FROM_B),
        data={"certificate_no": "CQC-A-002", "certifying_body": "中国质量认证中心", "certified_on": YESTERDAY,
              "scope": "全厂"})),
    # Enterprise A has a certificate waiting already: a second is refused beside the form (422).
    "audits.my_certification": route(Check(
        "/audits/mine/certification", get=ENTERPRISES, post=signed_in(enterprise_a=422, enterprise_b=OK),
        data={"certificate_no": "CQC-B-001", "certifying_body": "中国质量认证中心", "certified_on": YESTERDAY,
              "scope": "全厂", "file": (PDF, "证书.pdf")})),
    "audits.enterprise_certification": route(Check(
        "/audits/enterprises/{ent_a}/certification", get=signed_in(**roles(200, REG_A, PROV), regulator_b=404),
        post=signed_in(**roles(422, REG_A, PROV), regulator_b=404),
        data={"certificate_no": "CQC-A-009", "certifying_body": "中国质量认证中心", "certified_on": YESTERDAY,
              "scope": "全厂", "file": (PDF, "证书.pdf")})),
    "audits.cases": route(Check("/audits/cases", REGULATORS_AND_ADMIN, private=True)),
    # The admin reads cases but does not act on them: the service refuses beside the form (422).
    "audits.case_detail": route(Check(
        "/audits/cases/{case_overdue}", get={**A_REGULATORS_AND_ADMIN, REG_B: OUTSIDE},
        post=signed_in(**roles(OK, REG_A, PROV), admin=422, regulator_b=OUTSIDE),
        data={"action": "rectify", "r-deadline": NEXT_MONTH, "r-note": "限期整改"})),

    # --- schemes ----------------------------------------------------------------------------------------
    "schemes.index": route(Check("/schemes/", REGULATORS_AND_ADMIN, private=True)),
    "schemes.export": route(
        Check("/schemes/export.xlsx", signed_in(**roles(200, ENT_A, ENT_B, REG_A, REG_B, PROV, ADMIN)), private=True,
              sees=(ENT_A, *A_SIDE)),
        Check("/schemes/export.csv", signed_in(**roles(200, ENT_A, ENT_B, REG_A, REG_B, PROV, ADMIN)), private=True,
              sees=(ENT_A, *A_SIDE)),
        Check("/schemes/export.pdf", signed_in(**roles(404, ENT_A, ENT_B, REG_A, REG_B, PROV, ADMIN)))),
    "schemes.detail": route(Check("/schemes/{scheme_a}", signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B))),
    "schemes.mine": route(Check("/schemes/mine", ENTERPRISES, private=True, sees=(ENT_A,), marker=("余热回收改造",))),
    # Enterprise B has no round under way: the form sends it back to its list.
    "schemes.new": route(Check("/schemes/new", get=signed_in(enterprise_a=200, enterprise_b=302),
                               post=signed_in(enterprise_a=OK, enterprise_b=302), data=SCHEME_FORM)),
    # Round A's report is in: its schemes are frozen, so the edit form sends the enterprise to the
    # revision form, and an edit or a deletion posted anyway is refused beside the form (422) or in a flash.
    "schemes.edit": route(Check("/schemes/{scheme_a}/edit", get=signed_in(enterprise_a=302, enterprise_b=OUTSIDE),
                                post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE), data=SCHEME_FORM)),
    "schemes.delete": route(Check("/schemes/{scheme_a}/delete", post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE))),
    "schemes.revise": route(Check("/schemes/{scheme_outlier}/revise", get=signed_in(enterprise_a=200, enterprise_b=OUTSIDE),
                                  post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE), data={**SCHEME_FORM, "reason": "更正数据"})),
    "schemes.withdraw": route(Check("/schemes/{scheme_outlier}/withdraw", post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE),
                                    data={"reason": "误报"})),
    # Round A is under evaluation: progress waits (422), but the form is the enterprise's.
    "schemes.progress": route(Check("/schemes/{scheme_a}/progress", get=signed_in(enterprise_a=200, enterprise_b=OUTSIDE),
                                    post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE), data={"status": "completed"})),
    "schemes.revisions": route(Check("/schemes/revisions", REGULATORS_AND_ADMIN, private=True)),
    # The enterprise reads its own request; only a regulator of city A or the province decides on it.
    "schemes.revision": route(Check("/schemes/revisions/{revision_a}", get=signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B),
                                    post=signed_in(**roles(OK, REG_A, PROV), **HIDDEN_FROM_B), data={"decision": "reject",
                                                                                   "note": "依据不足"})),
    "schemes.figures_to_review": route(Check("/schemes/review", REGULATORS_AND_ADMIN, private=True)),
    "schemes.review_figures": route(Check("/schemes/{scheme_outlier}/review", get={**A_REGULATORS_AND_ADMIN, REG_B: OUTSIDE},
                                          post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                          data={"decision": "confirm", "note": "经核实"})),
    "schemes.template": route(Check("/schemes/template.xlsx", ENTERPRISES, private=True, sees=(ENT_A,),
                                    marker=("余热回收改造",))),
    # Enterprise B importing A's schemes: each row is refused in the report, nothing is written.
    "schemes.import_file": route(Check(
        "/schemes/import", get=ENTERPRISES, post=signed_in(enterprise_a=OK, enterprise_b=200),
        data={"file": (CSV_SCHEME, "方案.csv")})),

    # --- statistics -------------------------------------------------------------------------------------
    "stats.overview": route(Check("/stats/overview", signed_in(**roles(302, REG_A, REG_B), province=200, admin=200))),
    "stats.overview_export": route(Check("/stats/overview/export/by_city.csv", signed_in(province=200, admin=200))),
    "stats.city": route(Check("/stats/city/450100", A_REGULATORS_AND_ADMIN),
                        Check("/stats/city/999999", signed_in(**roles(404, REG_A, REG_B, PROV, ADMIN)))),
    "stats.city_export": route(Check("/stats/city/450100/export/by_enterprise.csv", A_REGULATORS_AND_ADMIN)),
    "stats.mine": route(Check("/stats/mine", ENTERPRISES)),
    "stats.mine_export": route(Check("/stats/mine/export/by_round.csv", ENTERPRISES)),

    # --- the sectors' 2025 targets: public; reported by the agriculture and housing departments, which
    # the world's regulators (ecology and environment) are not: every role is refused ------------------
    "sectors.dashboard": route(Check("/targets", PUBLIC)),
    "sectors.export": route(Check("/targets/export/figures.csv", PUBLIC), Check("/targets/export/progress.xlsx", PUBLIC),
                            Check("/targets/export/nothing.csv", everyone(404))),
    "sectors.report": route(Check("/targets/report", signed_in(), post=signed_in(), data={
        "indicator": "straw_utilization_rate", "division_code": "450100", "year": "2025", "value": "80"})),
    "sectors.import_file": route(Check("/targets/import", signed_in(), post=signed_in(), data={
        "file": ("指标,地区,年度,数值\n秸秆综合利用率,南宁市,2025,80\n".encode(), "数值.csv")})),
    "sectors.revise": route(Check("/targets/figures/{figure_a}/revise", signed_in(), post=signed_in(),
                                  data={"value": "86", "reason": "复核"})),

    # --- mandatory lists built from evidence: ecology and environment's regulators (the world's); a city
    # proposes, the province confirms and publishes; another city's proposal reads as missing -----------
    "listing.index": route(Check("/listing", signed_in(**roles(200, REG_A, REG_B, PROV)))),
    "listing.import_file": route(Check(
        "/listing/import/monitoring", get=signed_in(**roles(200, REG_A, REG_B, PROV)),
        post=signed_in(**roles(OK, REG_A, PROV), regulator_b=200),
        data={"file": ("统一社会信用代码,污染物,监测日期,监测值,排放限值,单位\n"
                       "{ent_a3_uscc},氨氮,2026-01-05,12,8,mg/L\n".encode(), "监测.csv")}),
        Check("/listing/import/nothing", signed_in(**roles(404, REG_A, REG_B, PROV)))),
    "listing.template": route(Check("/listing/template/permits.xlsx", signed_in(**roles(200, REG_A, REG_B, PROV))),
                              Check("/listing/template/energy.csv", signed_in(**roles(200, REG_A, REG_B, PROV)))),
    "listing.candidates": route(Check("/listing/candidates", signed_in(**roles(200, REG_A, REG_B, PROV)))),
    "listing.candidates_export": route(Check("/listing/candidates/export.xlsx", signed_in(**roles(200, REG_A, REG_B, PROV))),
                                       Check("/listing/candidates/export.pdf", signed_in(**roles(404, REG_A, REG_B, PROV)))),
    "listing.proposals": route(Check("/listing/proposals", signed_in(**roles(200, REG_A, REG_B, PROV)))),
    "listing.start": route(Check("/listing/proposals/new", post=signed_in(**roles(OK, REG_A, REG_B)),
                                 data={"as_of": DAY})),
    "listing.proposal": route(Check("/listing/proposals/{proposal_a}", signed_in(**roles(200, REG_A, PROV), regulator_b=404)),
                              Check("/listing/proposals/999999", signed_in(**roles(404, REG_A, REG_B, PROV)))),
    "listing.decide": route(Check("/listing/proposals/{proposal_a}/entries/{entry_a}",
                                  post=signed_in(regulator_a=OK, regulator_b=404),
                                  data={"included": "0", "reason": "已停产"})),
    "listing.add": route(Check("/listing/proposals/{proposal_a}/add", post=signed_in(regulator_a=OK, regulator_b=404),
                               data={"uscc": "{ent_a3_uscc}", "cause": "toxic", "reason": "举报", "evidence_note": "检查笔录"})),
    "listing.submit": route(Check("/listing/proposals/{proposal_a}/submit", post=signed_in(regulator_a=OK, regulator_b=404))),
    "listing.confirm": route(Check("/listing/proposals/{proposal_a}/confirm", post=signed_in(province=OK, regulator_b=404))),
    "listing.return_proposal": route(Check("/listing/proposals/{proposal_a}/return",
                                           post=signed_in(province=OK, regulator_b=404), data={"reason": "补充材料"})),
    "listing.publish": route(Check("/listing/publish", get=signed_in(province=200), post=signed_in(province=OK),
                                   data={"document_no": "桂环函〔2026〕1号", "published_on": DAY})),
    # --- the 两高 project register: the regulators' (the world's are ecology and environment's, one of
    # the register's departments); the admin reads; another city's project reads as missing ------------
    "projects.index": route(Check("/two-high/", REGULATORS_AND_ADMIN, private=True)),
    "projects.export": route(Check("/two-high/export.csv", REGULATORS_AND_ADMIN, private=True),
                             Check("/two-high/export.pdf", signed_in(**roles(404, REG_A, REG_B, PROV, ADMIN)))),
    "projects.new": route(Check("/two-high/new", signed_in(**roles(200, REG_A, REG_B, PROV)),
                                post=signed_in(**roles(OK, REG_A, REG_B, PROV)), data={
        "uscc": "{ent_a_uscc}", "name": "南宁电解铝项目", "sector": "electrolytic_aluminium", "capacity": "30",
        "capacity_unit": "万吨/年", "stage": "planned"})),
    "projects.detail": route(Check("/two-high/{project_a}", signed_in(**roles(200, *A_SIDE), regulator_b=OUTSIDE))),
    "projects.update": route(Check("/two-high/{project_a}/details", post=signed_in(
        **roles(OK, REG_A, PROV), regulator_b=OUTSIDE), data={"capacity": "130"})),
    "projects.stage": route(Check("/two-high/{project_a}/stage", post=signed_in(
        **roles(OK, REG_A, PROV), regulator_b=OUTSIDE), data={"stage": "building", "changed_on": DAY})),
    "projects.note": route(Check("/two-high/{project_a}/notes", post=signed_in(
        **roles(OK, REG_A, PROV), regulator_b=OUTSIDE), data={"note": "须补充产能置换方案。"})),
    "projects.benchmarks": route(Check("/two-high/benchmarks", PUBLIC)),

    # --- the uses of audit results: public lists, files and feeds -----------------------------------------
    "results.index": route(Check("/results/", PUBLIC)),
    "results.listing": route(Check("/results/leading", PUBLIC), Check("/results/green_credit", PUBLIC),
                             Check("/results/nothing", everyone(404))),
    "results.export": route(Check("/results/green_procurement/export.csv", PUBLIC),
                            Check("/results/leading/export.xlsx", PUBLIC),
                            Check("/results/leading/export.pdf", everyone(404))),
    "results.feed": route(Check("/results/water_quota/feed.atom", PUBLIC)),

    # --- experts, service organisations, panels ------------------------------------------------------
    "experts.register": route(Check(
        "/experts/register", get={**everyone(302), ANON: 200}, post={**everyone(302), ANON: OK},
        data={**EXPERT_PROFILE, "name": "新专家", "username": "new-expert", "password": "Neu-Passw0rt-1",
              "confirm": "Neu-Passw0rt-1", "conflicts": ""})),
    "experts.my_profile": route(Check("/experts/me", get=signed_in(expert=200), post=signed_in(expert=OK),
                                      data=EXPERT_PROFILE)),
    "experts.add_conflict": route(Check("/experts/me/conflicts", post=signed_in(expert=OK),
                                        data={"conflict_uscc": make("450400", 777003), "organisation": "某公司"})),
    "experts.withdraw_conflict": route(
        Check("/experts/me/conflicts/{own_conflict}/withdraw", post=signed_in(expert=OK)),
        Check("/experts/me/conflicts/{others_conflict}/withdraw", post=signed_in(expert=404))),  # not the expert's
    "reviews.my_reviews": route(Check("/experts/me/reviews", signed_in(expert=200))),
    "reviews.score": route(Check("/reviews/{panel_a}/score", get=signed_in(expert=200), post=signed_in(expert=OK),
                                 data={"action": "save", "opinion": "报告规范。"})),
    "reviews.panel_report": route(Check("/reviews/{panel_a}/reports/{report_a}", signed_in(expert=200))),
    "reviews.decline": route(Check("/reviews/{panel_a}/decline", post=signed_in(**roles(OK, EXPERT, REG_A, PROV)),
                                   data={"member_id": "{member_colleague}", "reason": "时间冲突"})),
    "experts.pool": route(Check("/experts/pool", REGULATORS_AND_ADMIN, searched=True)),
    # The pool serves the whole province: every regulator reads it; only the province decides.
    "experts.pool_detail": route(Check("/experts/pool/{expert_pending}", REGULATORS_AND_ADMIN)),
    "experts.decide": route(Check("/experts/pool/{expert_pending}/decide", post=signed_in(province=OK),
                                  data={"action": "approve", "reason": ""})),
    "experts.decide_name": route(Check("/experts/pool/{expert}/name/approve", post=signed_in(province=OK),
                                       data={"note": ""})),
    "reviews.panels_index": route(Check("/reviews/manage", REGULATORS_AND_ADMIN, private=True)),
    "reviews.panel_detail": route(Check("/reviews/{panel_a}/manage", A_REGULATORS_AND_ADMIN)),
    "reviews.draw_panel": route(Check("/reviews/rounds/{round_a}/draw", get=signed_in(**roles(200, REG_A, PROV), regulator_b=OUTSIDE),
                                      post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                      data={"size": "3", "meeting_on": "", "location": "南宁"})),
    "reviews.panel_action": route(Check("/reviews/{panel_a}/cancel", post=signed_in(**roles(OK, REG_A, PROV)),
                                        data={"reason": "轮次撤销"})),
    # Four eyes: a regulator in scope other than the one who asked (here the province asked).
    "reviews.decide_request": route(Check("/reviews/{panel_a}/requests/{request_pending}/approve",
                                          post=signed_in(regulator_a=OK), data={"note": "同意"})),
    "reviews.approvals": route(Check("/reviews/approvals", REGULATORS_AND_ADMIN, private=True)),
    # A round's service organisation: its regulators set it (with a reason) and decide late changes;
    # the named organisation alone answers a proposal (engagement_a is already confirmed: a 422 answer).
    "experts.round_service_org": route(Check("/reviews/rounds/{round_a}/service-org",
                                             get=signed_in(**roles(200, REG_A, PROV), regulator_b=OUTSIDE),
                                             post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                             data={"service_org_id": "", "reason": "核查委托合同"})),
    "experts.review_engagement": route(Check("/reviews/engagements/{engagement_a}/approve",
                                             post=signed_in(**roles(OK, REG_A, PROV)), data={"note": ""})),
    "experts.answer_engagement": route(Check("/service-orgs/mine/engagements/{engagement_a}/confirm",
                                             post=signed_in(service_org=OK), data={"note": ""})),
    "experts.new_service_org": route(Check(
        "/service-orgs/new", get=signed_in(province=200), post=signed_in(province=OK),
        data={"name": "新咨询有限公司", "uscc": make("450100", 700009), "division_code": "450100"})),
    "experts.enterprise_reviews": route(Check(
        "/reviews/mine", get=ENTERPRISES, post=signed_in(**roles(OK, ENT_A, ENT_B)),
        data={"service_org_id": "{org_a}"}, private=True, sees=(ENT_A,))),
    "experts.my_org": route(Check("/service-orgs/mine", signed_in(service_org=200), private=True,
                                  sees=(ORG,))),

    # Service organisations answer for their work: the province suspends and lifts; the organisation (or a
    # regulator of its city) documents 第十六条 qualifications, and a regulator in scope checks them.
    "experts.suspend_service_org": route(Check("/service-orgs/{org_a}/suspend", post=signed_in(province=OK),
                                               data={"reason": "报告数据造假"})),
    "experts.submit_qualification": route(Check(
        "/service-orgs/{org_a}/qualifications", post=signed_in(**roles(OK, ORG, REG_A, PROV)),
        data={"requirement": "legal_person", "evidence": "营业执照"})),
    "experts.check_qualification": route(Check(
        "/service-orgs/{org_a}/qualifications/{qualification_a}/check",
        post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE), data={"result": "met", "note": "符合"})),

    # --- training ---------------------------------------------------------------------------------------
    # Plans and sessions are public, the roll is the organiser's (city A's regulators and the province);
    # a certificate is its holder's and the organiser's; anyone checks one by its code.
    "training.index": route(Check("/training", PUBLIC)),
    "training.plan": route(Check("/training/plans/{plan_a}", PUBLIC), Check("/training/plans/999999", everyone(404))),
    "training.verify": route(Check("/training/verify?code={certificate_a}", PUBLIC),
                             Check("/training/verify?code=AAAA-BBBB-CCCC-DDDD", PUBLIC)),
    "api.certificate": route(Check("/api/v1/certificates/{certificate_a}", PUBLIC),
                             Check("/api/v1/certificates/AAAA-BBBB-CCCC-DDDD", everyone(404))),
    "training.mine": route(Check("/training/mine", signed_in(200))),
    "training.enrol": route(Check("/training/sessions/{session_a}/enrol",
                                  post=signed_in(**roles(OK, ENT_A, ENT_B, EXPERT, ORG)))),
    "training.certificate_pdf": route(Check("/training/enrolments/{enrolment_a}/certificate.pdf",
                                            signed_in(404, **roles(200, EXPERT, REG_A, PROV)))),
    "training.new_plan": route(Check("/training/plans/new", get=signed_in(**roles(200, REG_A, REG_B, PROV)),
                                     post=signed_in(**roles(OK, REG_A, REG_B, PROV)),
                                     data={"title": "新计划", "audience": "officials", "year": "2026", "hours": "8"})),
    "training.new_session": route(Check(
        "/training/plans/{plan_a}/sessions/new", get=signed_in(**roles(200, REG_A, PROV), regulator_b=OUTSIDE),
        post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
        data={"title": "第二期", "starts_on": "2026-12-30", "ends_on": "2026-12-30", "place": "南宁", "capacity": "10",
              "hours": "4"})),
    "training.roll": route(Check("/training/sessions/{session_a}/roll",
                                 get=signed_in(**roles(200, REG_A, PROV), regulator_b=OUTSIDE),
                                 post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                 data={"username": "expert-2"})),
    "training.roll_export": route(Check("/training/sessions/{session_a}/roll.xlsx",
                                        signed_in(**roles(200, REG_A, PROV), regulator_b=OUTSIDE))),
    "training.attendance": route(Check("/training/enrolments/{enrolment_a}/attendance",
                                       post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                       data={"value": "attended"})),

    # --- catalogue curation -----------------------------------------------------------------------------
    "catalogue.admin_list": route(Check("/admin/technologies", signed_in(admin=200))),
    "catalogue.admin_edit /admin/technologies/new": route(Check(
        "/admin/technologies/new", get=signed_in(admin=200), post=signed_in(admin=OK),
        data={"name": "新技术", "category": "过程控制", "industry_codes": "31", "source": "测试目录"})),
    "catalogue.admin_edit /admin/technologies/<int:technology_id>/edit": route(Check(
        "/admin/technologies/{tech_pub}/edit", get=signed_in(admin=200), post=signed_in(admin=OK),
        data={"name": "烧结烟气循环技术（修订）", "category": "过程控制", "industry_codes": "31", "source": "测试目录"})),
    "catalogue.admin_status": route(Check("/admin/technologies/{tech_draft}/publish", post=signed_in(admin=OK))),

    # --- knowledge base: regulators draft, another province regulator approves ----------------------------
    "knowledge.staff_list": route(Check("/admin/knowledge", REGULATORS_AND_ADMIN)),
    "knowledge.edit /admin/knowledge/new": route(Check(
        "/admin/knowledge/new", get=signed_in(**roles(200, REG_A, REG_B, PROV)),
        post=signed_in(**roles(OK, REG_A, REG_B, PROV)),
        data={"kind": "policy", "title": "新政策文件", "issuer": "自治区生态环境厅", "issued_on": "2024-01-02",
              "summary": "摘要", "body": "正文", "supersedes_id": ""})),
    "knowledge.edit /admin/knowledge/<int:document_id>/edit": route(Check(  # the author, or the province
        "/admin/knowledge/{doc_draft}/edit", get=signed_in(**roles(200, REG_A, PROV)),
        post=signed_in(**roles(OK, REG_A, PROV)),
        data={"kind": "audit_guide", "title": "起草中的审核指南（修改）", "issuer": "生态环境部", "issued_on": "2018-04-12",
              "summary": "摘要", "body": "正文", "supersedes_id": ""})),
    "knowledge.review": route(  # the author (city A's regulator) submits; only another province regulator approves
        Check("/admin/knowledge/{doc_draft}/submit", post=signed_in(**roles(OK, REG_A, PROV)), data={"note": ""}),
        Check("/admin/knowledge/{doc_pending}/approve", post=signed_in(**roles(OK, PROV)), data={"note": ""})),

    # --- credit -----------------------------------------------------------------------------------------
    "credit.dashboard": route(Check("/credit/dashboard", REGULATORS_AND_ADMIN, private=True)),
    "credit.records": route(Check("/credit/records", REGULATORS_AND_ADMIN, private=True)),
    "credit.dead_letters": route(Check("/credit/dead-letters", REGULATORS_AND_ADMIN, private=True)),
    "credit.penalty": route(Check("/credit/cases/{case_overdue}/penalty", get=signed_in(**roles(200, REG_A, PROV), regulator_b=OUTSIDE),
                                  post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE), data=PENALTY)),
    # Four eyes: the province regulator entered the pending record's penalty, so it may not approve it
    # (refused beside the form, 422); the admin reads records but does not approve them.
    "credit.record_detail": route(
        Check("/credit/records/{record_pending}", get={**A_REGULATORS_AND_ADMIN, **HIDDEN_FROM_B, ENT_A: OUTSIDE},
              post=signed_in(regulator_a=OK, province=422, enterprise_a=OUTSIDE, **HIDDEN_FROM_B),
              data={"note": "同意公示"}),
        Check("/credit/records/{record_pub}", signed_in(**roles(200, *A_SIDE), enterprise_a=302, **HIDDEN_FROM_B))),
    "credit.retry": route(Check("/credit/deliveries/{delivery_dead}/retry",
                                 post=signed_in(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE))),
    "credit.mine": route(Check("/credit/mine", ENTERPRISES, private=True, sees=(ENT_A,),
                               marker=("{decision_no_pub}",))),
    "credit.apply_repair": route(Check(
        "/credit/records/{record_pub}/repair", get=signed_in(enterprise_a=200, enterprise_b=OUTSIDE),
        post=signed_in(enterprise_a=OK, enterprise_b=OUTSIDE),
        data={"correction": "已纠正。", "commitment": "守法经营。", "commitment_public": "y",
              "proof": (PDF, "证明.pdf"), "paid_yuan": "{fine_pub}", "paid_on": "{decided_pub}",
              "voucher": (PDF, "凭证.pdf")})),
    "credit.repair_detail": route(Check("/credit/repairs/{repair}", get=signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B),
                                        post=signed_in(**roles(OK, REG_A, PROV), **HIDDEN_FROM_B),
                                        data={"decision": "reject", "reason": "材料不全"})),
    "credit.repair_voucher": route(Check("/credit/repairs/{repair}/voucher", signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B))),
    "credit.repair_proof": route(Check("/credit/repairs/{repair}/proof", signed_in(**roles(200, ENT_A, *A_SIDE), **HIDDEN_FROM_B))),

    # --- the JSON API (bearer tokens) ------------------------------------------------------------------
    "api.index": route(Check("/api/v1/", PUBLIC)),
    "api.rules_list": route(Check("/api/v1/rules", PUBLIC)),
    "api.lists": route(Check("/api/v1/lists", PUBLIC)),
    "api.list_detail": route(Check("/api/v1/lists/{batch_a}", PUBLIC), Check("/api/v1/lists/999999", everyone(404))),
    "public.rules": route(Check("/rules", PUBLIC)),
    "api.openapi_json": route(Check("/api/v1/openapi.json", PUBLIC)),
    "api_docs.page": route(Check("/api/docs", PUBLIC)),
    "api_docs.dictionary_page": route(Check("/data-dictionary", PUBLIC)),
    "api.technologies": route(Check("/api/v1/technologies", PUBLIC, searched=True)),
    "api.documents": route(Check("/api/v1/documents", PUBLIC, searched=True)),
    "api.document": route(Check("/api/v1/documents/{doc_pub}", PUBLIC),
                          Check("/api/v1/documents/{doc_draft}", everyone(404))),
    "api.experts": route(Check("/api/v1/experts", PUBLIC, searched=True)),
    "api.service_orgs": route(Check("/api/v1/service-orgs", PUBLIC)),
    "api.draw_record": route(Check("/api/v1/reviews/{panel_a}/draw", PUBLIC)),
    "api.credit_records": route(Check("/api/v1/credit-records", PUBLIC)),
    "api.audit_status": route(Check("/api/v1/enterprises/{ent_a_uscc}/audit-status", PUBLIC)),
    "api.stats_summary": route(Check("/api/v1/stats/summary", PUBLIC)),
    "api.two_high_projects": route(Check("/api/v1/two-high/projects", api(**roles(200, REG_A, REG_B, PROV, ADMIN)),
                                         private=True)),
    "api.results_list": route(Check("/api/v1/results/green_credit", api(**roles(200, REG_A, REG_B, PROV))),
                              Check("/api/v1/results/leading", api(**roles(403, REG_A, REG_B, PROV)))),
    "api.leading_firms": route(Check("/api/v1/leading-firms", PUBLIC)),
    "api.stats_breakdown": route(
        Check("/api/v1/stats/breakdown?by=city", PUBLIC),
        # Figures enterprise by enterprise: regulators only, each in its own region.
        Check("/api/v1/stats/breakdown?by=enterprise", api(**roles(200, REG_A, REG_B, PROV, ADMIN)), private=True)),
    "api.enterprises_list": route(Check("/api/v1/enterprises", api(**roles(200, REG_A, REG_B, PROV, ADMIN)),
                                        private=True)),
    "api.enterprise_detail": route(Check("/api/v1/enterprises/{ent_a_uscc}", api(**roles(200, *A_SIDE), regulator_b=OUTSIDE))),
    "api.cases_list": route(Check("/api/v1/cases", api(**roles(200, REG_A, REG_B, PROV, ADMIN)), private=True)),
    "api.case_get": route(Check("/api/v1/cases/{case_overdue}", api(**roles(200, *A_SIDE), regulator_b=OUTSIDE))),
    "api.case_rectification": route(Check("/api/v1/cases/{case_overdue}/rectification",
                                          post=api(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                          json={"deadline": NEXT_MONTH, "note": "限期整改"})),
    "api.case_penalty": route(Check("/api/v1/cases/{case_overdue}/penalty", post=api(**roles(OK, REG_A, PROV), regulator_b=OUTSIDE),
                                    json={**PENALTY, "fine_yuan": 100000})),
    "api.credit_record_approve": route(Check("/api/v1/credit-records/{record_pending}/approve",
                                             post=api(regulator_a=OK, regulator_b=OUTSIDE), json={"note": "同意公示"})),
}


def rule_key(rule, endpoints_with_several_rules) -> str:
    """An endpoint names its entry; an endpoint served at several addresses names each by its rule."""
    return f"{rule.endpoint} {rule.rule}" if rule.endpoint in endpoints_with_several_rules else rule.endpoint


def rules_by_key(app) -> dict:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    counts = {}
    for r in rules:
        counts[r.endpoint] = counts.get(r.endpoint, 0) + 1
    several = {e for e, n in counts.items() if n > 1}
    return {rule_key(r, several): r for r in rules}


def unlisted_routes(app) -> list[str]:
    """The routes of the URL map with no entry in ROUTES, each as 'endpoint (rule)'."""
    in_map = rules_by_key(app)
    return [f"{key} ({in_map[key].rule})" for key in sorted(set(in_map) - set(ROUTES))]


def test_every_route_has_an_entry(app):
    """A route without an entry has had no one decide who may use it."""
    missing = unlisted_routes(app)
    assert not missing, ("routes with no entry in tests/security/test_access_matrix.py ROUTES — decide who may "
                         f"use them: {', '.join(missing)}")
    stale = sorted(set(ROUTES) - set(rules_by_key(app)))
    assert not stale, f"ROUTES entries for routes that no longer exist: {', '.join(stale)}"


def test_a_new_route_is_named_until_it_has_an_entry(tmp_path):
    from platform import create_app
    from routes_world import world_config

    app = create_app(world_config(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path), "test")
    app.add_url_rule("/audits/rounds/<int:round_id>/archive", "audits.archive_round", lambda round_id: "",
                     methods=["POST"])
    assert unlisted_routes(app) == ["audits.archive_round (/audits/rounds/<int:round_id>/archive)"]


def test_every_entry_covers_its_rules_methods(app):
    """An entry says what every role gets from a GET, and from a POST when its rule takes POST."""
    problems = []
    for key, rule in rules_by_key(app).items():
        checks = ROUTES.get(key, [])
        if "POST" in rule.methods and checks and not any(c.post for c in checks):
            problems.append(f"{key}: takes POST, but no check says who may POST")
        for check in checks:
            if "GET" in rule.methods and check.get is None:
                problems.append(f"{key} {check.path}: takes GET, but the check says nothing about GET")
            if "GET" not in rule.methods and check.get is not None:
                problems.append(f"{key} {check.path}: takes no GET (405 for everyone), yet the check has a GET table")
            for name, table in (("get", check.get), ("post", check.post)):
                if table is not None and set(table) != set(ROLES):
                    problems.append(f"{key} {check.path}: its {name} table lacks {set(ROLES) - set(table)}")
    assert not problems, "\n".join(problems)


# --- walking the matrix ----------------------------------------------------------------------------------

SECURITY_HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}


def _outcome(response) -> str:
    if is_login_redirect(response):
        return LOGIN
    return str(response.status_code)


def _allowed(response) -> bool:
    return (response.status_code < 500 and response.status_code not in REFUSALS
            and not is_login_redirect(response))


def _headers_missing(response) -> list[str]:
    missing = [f"{k}: {v}" for k, v in SECURITY_HEADERS.items() if response.headers.get(k) != v]
    if "default-src 'self'" not in response.headers.get("Content-Security-Policy", ""):
        missing.append("Content-Security-Policy")
    return missing


class Matrix:
    def __init__(self, walker: Walker, key: str, rule):
        self.walker, self.key, self.rule = walker, key, rule
        self.problems: list[str] = []

    def send(self, role, method, path, check):
        w = self.walker
        try:
            if method == "GET":
                return w.request(role, "GET", path)
            if check.json is not None:
                return w.request(role, method, path, json_body=w.fill(check.json))
            return w.request(role, method, path, data=_files(w.fill(check.data or {})))
        except Exception as exc:  # an unexpected exception is a 500 in production
            self.problems.append(f"{role:13} {method} {path}: raised {exc.__class__.__name__}: {exc}")
            return None

    def expect_get(self, check, path):
        expected = check.get if check.get is not None else everyone(405)
        before = fingerprint()
        for role in ROLES:
            response = self.send(role, "GET", path, check)
            if response is None:
                continue
            want = expected[role]
            if _outcome(response) != str(want):
                self.problems.append(f"{role:13} GET  {path}: expected {want}, got {_outcome(response)}"
                                     f"{_location(response)}")
            self._headers(role, "GET", path, response)
            self._contacts(role, "GET", path, response)
            if check.private and response.status_code == 200:
                self._privacy(role, path, check, response)
        written = changed_tables(before, fingerprint())
        if written:
            self.problems.append(f"GET {path} wrote to {written}")

    def expect_post(self, check, path):
        if check.post is None:
            return
        # Refusals first, on the untouched world; the roles that may act go last.
        order = sorted(ROLES, key=lambda r: check.post[r] == OK)
        untouched = fingerprint()
        for role in order:
            want = check.post[role]
            response = self.send(role, "POST", path, check)
            if response is None:
                continue
            self._headers(role, "POST", path, response)
            self._contacts(role, "POST", path, response)
            if want == OK:
                if not _allowed(response):
                    self.problems.append(f"{role:13} POST {path}: expected to be allowed, got {_outcome(response)}"
                                         f"{_location(response)}")
                continue
            if _outcome(response) != str(want):
                self.problems.append(f"{role:13} POST {path}: expected {want}, got {_outcome(response)}"
                                     f"{_location(response)}")
            now = fingerprint()
            written = changed_tables(untouched, now)
            if written:
                self.problems.append(f"{role:13} POST {path}: refused ({_outcome(response)}) yet wrote to {written}")
                untouched = now

    def _headers(self, role, method, path, response):
        missing = _headers_missing(response)
        if missing:
            self.problems.append(f"{role:13} {method} {path}: response lacks {missing}")

    def _contacts(self, role, method, path, response):
        if response.status_code >= 300 or not _readable(response):
            return
        body = body_text(response)
        for marker, readers in CONTACTS.items():
            value = self.walker.fill(marker)
            if role not in readers and value in body:
                self.problems.append(f"{role:13} {method} {path}: shows contact data {value}")

    def _privacy(self, role, path, check, response):
        markers = [self.walker.fill(m) for m in check.marker]
        shown = any(m in body_text(response) for m in markers)
        if role in check.sees and not shown:
            self.problems.append(f"{role:13} GET  {path}: should list city A's {markers[0]}, does not")
        elif role not in check.sees and shown:
            self.problems.append(f"{role:13} GET  {path}: shows city A's {markers[0]} to a role outside its scope")


def _readable(response) -> bool:
    return response.mimetype.startswith("text/") or response.mimetype == "application/json" or (
        "spreadsheetml" in response.mimetype)


def _files(data: dict) -> dict:
    """Fresh file objects for each request (a (bytes, filename) tuple is an upload)."""
    from io import BytesIO

    return {k: (BytesIO(v[0] if isinstance(v[0], bytes) else v[0].encode()), v[1]) if isinstance(v, tuple) else v
            for k, v in data.items()}


def _location(response) -> str:
    return f" → {response.headers['Location']}" if response.status_code in (301, 302, 303) else ""


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_access(walker, key):
    """Every role against the route: what a GET shows, who may POST, and that a refusal writes nothing."""
    rule = rules_by_key(walker.app).get(key)
    assert rule is not None, f"{key} is not in the URL map (see test_every_route_has_an_entry)"
    matrix = Matrix(walker, key, rule)
    adapter = walker.app.url_map.bind("localhost")
    for number, check in enumerate(ROUTES[key]):
        if number and ROUTES[key][number - 1].post:
            walker.reset()  # the previous check's allowed POSTs changed the world
        if check.searched:
            walker.index_for_search()
        path = walker.fill(check.path)
        matched = adapter.match(path.split("?")[0], method="POST" if check.get is None else "GET",
                                return_rule=True)[0]
        assert matched is rule, f"{path} is served by {matched.rule}, not by {key}'s {rule.rule}"
        matrix.expect_get(check, path)
        matrix.expect_post(check, path)
    assert not matrix.problems, f"{key} ({rule.rule}):\n" + "\n".join(matrix.problems)
