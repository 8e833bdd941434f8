"""Chinese names of tables, fields and journal operations, for the audit trail and messages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from gridapp.core import codes

TABLES = {
    "org_unit": "组织单位", "compound": "小区", "building": "楼栋", "person": "人员", "grid_worker": "网格员",
    "grid_assignment": "网格任职", "unit": "报到单位", "unit_pairing": "结对共建", "member_registration": "在职党员报到",
    "need": "需求清单", "resource": "资源清单", "project": "项目清单", "activity": "服务活动",
    "participation": "活动参与", "points_rule": "积分规则", "property_firm": "物业企业",
    "service_contract": "物业服务合同", "owners_committee": "业主委员会", "cross_appointment": "交叉任职",
    "firm_quarterly": "季度投诉与满意度", "rating_template": "评星标准", "rating_indicator": "评星指标",
    "firm_rating": "评星结果", "rating_score": "指标得分", "special_kind": "专属网格类别",
    "grid_request": "民情诉求", "request_step": "诉求办理环节",
}

OPS = {"insert": "新增", "update": "修改", "delete": "删除", "restore": "恢复"}

FIELDS = {
    "code": "编码", "name": "名称", "level": "层级", "parent_id": "上级", "grid_type": "网格类型",
    "households": "户数", "population": "人口", "boundary": "四至范围", "party_org_name": "党组织名称",
    "supervision_phone": "监督电话", "address": "地址", "active_from": "设立日期", "retired_on": "撤销日期",
    "retired_reason": "撤销原因", "successor_id": "并入单位", "scope_code": "所属范围", "deleted_at": "删除时间",
    "gender": "性别", "id_number": "身份证号码", "birth_date": "出生日期", "ethnicity": "民族",
    "political_status": "政治面貌", "education": "文化程度", "phone": "联系电话", "phone2": "备用电话",
    "name_initials": "拼音首字母", "notes": "备注", "photo": "照片", "person_id": "人员", "worker_type": "人员类别",
    "status": "状态", "status_date": "状态日期", "status_reason": "状态原因", "hired_on": "任职时间",
    "worker_id": "网格员", "org_unit_id": "网格", "role": "职务", "start_date": "开始日期", "end_date": "结束日期",
    "end_reason": "结束原因", "credit_code": "统一社会信用代码", "unit_type": "单位类型", "party_org_type": "党组织类型",
    "secretary": "书记", "contact_name": "联系人", "contact_phone": "联系电话", "reported_member_count": "在职党员数",
    "unit_id": "单位", "community_id": "社区", "grid_id": "网格", "compound_id": "小区", "position": "职务",
    "is_leading_cadre": "处级以上", "registered_on": "报到日期", "service_post": "服务岗位", "title": "标题",
    "date": "日期", "activity_type": "活动类型", "place": "地点", "hours": "时长", "points": "积分",
    "evaluation": "评价", "firm_id": "物业企业", "legal_rep": "法定代表人", "party_member_count": "党员人数",
    "party_org_status": "党组织建立情况", "led_by_community": "社区领办", "alliance_member": "联盟成员",
    "year": "年度", "total": "总分", "stars": "星级", "score": "得分", "kind": "类型",
    "qualification": "资质等级", "staff_count": "从业人数", "party_secretary": "党组织书记",
    "instructor_name": "党建指导员", "instructor_phone": "指导员电话", "leading_community_id": "领办社区",
    "alliance_joined_on": "加入联盟日期", "building_count": "楼栋数", "built_year": "建成年份",
    "party_org_covered": "党组织覆盖", "established": "是否成立", "term_start": "任期开始", "term_end": "任期届满",
    "director_name": "主任", "member_count": "成员数", "direction": "任职方向", "committee_id": "业主委员会",
    "quarter": "季度", "complaints": "投诉件数", "complaints_resolved": "办结件数", "satisfaction": "满意度",
    "template_id": "评星标准", "star_thresholds": "星级分数线", "indicator_id": "指标", "weight": "权重",
    "max_score": "满分", "sort_order": "顺序", "description": "说明", "rating_id": "评星结果", "rated_on": "评定日期",
    "employer": "工作单位", "points_per_hour": "每小时积分", "bonus_per_activity": "每次奖励",
    "max_points_per_activity": "每次上限", "valid_from": "生效日期", "agreement_date": "签约日期", "content": "共建内容",
    "units": "单元数", "microgrid_id": "微网格", "raised_on": "提出日期", "claimed_by_unit_id": "认领单位",
    "claimed_by_member_id": "认领党员", "claimed_on": "认领日期", "closed_on": "办结日期", "result": "办理结果",
    "member_id": "在职党员", "activity_id": "活动", "category": "类别", "need_id": "需求", "project_id": "项目",
    "organiser_unit_id": "组织单位", "special_kind": "专属网格类别", "special_unit": "所属单位",
    "number": "编号", "hotline_number": "12345工单编号", "source": "来源", "urgency": "紧急程度",
    "raiser_name": "诉求人", "raiser_phone": "诉求人电话", "raised_at": "诉求时间", "raised_by_worker_id": "上报网格员",
    "deadline": "办结时限", "state": "办理状态", "handled_by_org_id": "当前办理单位", "assignee_kind": "承办方类型",
    "assignee_id": "承办方", "assignee_name": "承办方名称", "supervision": "督办等级", "supervision_count": "督办次数",
    "extension_state": "延期申请", "extension_deadline": "申请延期至", "return_count": "退回次数",
    "rejection_count": "验证未通过次数", "resolved_at": "处置时间", "closed_at": "办结时间", "request_id": "诉求",
    "at": "时间", "action": "办理环节", "from_state": "原状态", "to_state": "新状态", "actor": "经办人",
    "site_code": "站点", "note": "办理意见",
}

STARS = {str(n): "★" * n + f"（{n}星）" for n in range(1, 6)}

# Coded fields: the code table their values come from (by field, or by table and field where it differs).
FIELD_CODES = {
    "gender": "gender", "ethnicity": "ethnicity", "political_status": "political", "education": "education",
    "level": "org_level", "grid_type": "grid_type", "worker_type": "worker_type", "unit_type": "unit_type",
    "party_org_type": "party_org_type", "service_post": "service_post", "activity_type": "activity_type",
    "evaluation": "evaluation", "party_org_status": "firm_party_status", "special_kind": "special_kind",
    "urgency": "urgency", "assignee_kind": "assignee_kind", "supervision": "supervision",
    "extension_state": "extension_state", "action": "request_action", "from_state": "request_state",
    "to_state": "request_state",
}
TABLE_FIELD_CODES = {
    ("grid_worker", "status"): "worker_status", ("grid_assignment", "role"): "worker_role",
    ("member_registration", "status"): "member_status", ("need", "status"): "need_status",
    ("project", "status"): "need_status", ("compound", "kind"): "compound_kind",
    ("service_contract", "end_reason"): "contract_end", ("cross_appointment", "direction"): "appointment_direction",
    ("grid_request", "source"): "request_source", ("grid_request", "category"): "request_category",
    ("grid_request", "state"): "request_state", ("grid_request", "satisfaction"): "satisfaction",
}


def value_text(table: str, field: str, value: Any) -> str:
    """A stored value as people read it: code names, 是/否, dates, “（空）” for nothing."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    key = TABLE_FIELD_CODES.get((table, field)) or FIELD_CODES.get(field)
    if key is not None and isinstance(value, str):
        return codes.name(key, value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
