"""Training rules: how many hours an expert must have completed, over how long, to be drawn for a panel.

No law or national guide checked here sets a number of training hours for the experts who review
clean-production audits: 《清洁生产审核评估与验收指南》(环办科技〔2018〕5号) has the regulators
organise the reviews with experts from their pool, and the Guangxi 14th-five-year plan asks for
training of officials, experts, consultancy staff and company heads. The figures are therefore
local practice, configurable within bounds (RULE_OVERRIDES).
"""
from ..core.rulebook import rule

TRAINING = "培训"

EXPERT_HOURS = rule(
    "training.expert_hours", "专家参加抽取须完成的培训学时（专家类培训，出勤计入）", 8, "学时",
    "地方实践：广西清洁生产“十四五”规划要求开展专家培训，学时要求由本平台设定，可配置；0 表示不作要求",
    section=TRAINING, kind="local_practice", bounds=(0, 80))
EXPERT_PERIOD_MONTHS = rule(
    "training.expert_period_months", "专家培训学时的计算周期（抽取日前）", 24, "个月",
    "地方实践：按抽取日前的周期累计出勤学时，可配置", section=TRAINING, kind="local_practice", bounds=(6, 60),
    note="入库（注册）未满一个周期的专家，在首个周期内不受学时要求限制。")
