"""Special-case reviews and disputes (特病单议与争议): the expert library, the items hospitals file,
their attachments, comments and timeline, the expert panels and the in-app inbox.

One ``DisputeItem`` model carries both kinds: a special case (特病单议, one settled case, counted
against the period's quota) and an objection (争议, against a grouping, score, coefficient,
deduction, assessment or amount). Every change goes through ``disputes.services``; the timeline is
a dedicated table rather than the audit trail because hospitals read it, and the audit trail is
bureau-only and holds internal snapshots.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.tenancy import TenantQuerySet
from catalogs.choices import CatalogStatus
from disputes.choices import (
    AgendaStatus,
    AgendaTopic,
    Decision,
    ItemKind,
    ItemStatus,
    MeetingStatus,
    PanelRule,
    ParticipantRole,
    Reason,
    Specialty,
    Stance,
    Subject,
    Vote,
)

#: A catalog group can be disputed once its version was published; it stays linkable after the version retires.
LINKABLE_CATALOG_STATUSES = (CatalogStatus.PUBLISHED, CatalogStatus.RETIRED)

ERR_EXPERT_ROLE = "专家库只能收录角色为「专家」的用户。"
ERR_SPECIAL_CASE_NEEDS_CASE = "特病单议必须对应一份结算清单及其结算期间。"
ERR_OBJECTION_NEEDS_SUBJECT = "争议必须选择争议事项。"
ERR_CASE_OF_OTHER_INSTITUTION = "只能就本机构的结算清单提出申请。"
ERR_CASE_PERIOD = "结算期间应与结算清单的结算期间一致。"
ERR_PERIOD_REGION = "结算期间不属于申请机构所在统筹区。"
ERR_REASONS = "请至少选择一项申请理由。"
ERR_UNKNOWN_REASON = "未知的申请理由：{reason}。"
ERR_ONE_PER_CASE = "该结算清单已有未撤回的特病单议申请（一例一议）。"
ERR_DECIDED_NEEDS_DECISION = "已决定的申请必须有处理决定。"
ERR_SCORE_NEEDS_VALUE = "调整分值的决定必须填写调整后的分值。"
ERR_ONE_SEAT = "同一专家不能重复进入同一专家组。"
ERR_RUN_REGION = "关联的结算批次不属于申请机构所在统筹区。"
ERR_RUN_INSTITUTION = "申请机构不在关联的结算批次中（该批次没有本机构的结算单）。"
ERR_STATEMENT_LINE = "关联的结算单应为申请机构在所关联结算批次中的结算单。"
ERR_GROUP_REGION = "关联的病种/病组不属于申请机构所在统筹区的目录。"
ERR_GROUP_VERSION = "只能关联已发布（或已停用）目录版本中的病种/病组，不能关联草稿或待审核的目录。"


def _user(verbose_name: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
        **kwargs,
    )


class Expert(models.Model):
    """专家库 — an expert user, the specialty panels are drawn by, and the institution they must not judge."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="expert_profile",
        verbose_name="用户",
        limit_choices_to={"role": Role.EXPERT},
    )
    specialty = models.CharField("专业", max_length=20, choices=Specialty.choices)
    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
        verbose_name="所在机构",
        help_text="评审时回避本机构的申请。",
    )
    title = models.CharField("职称", max_length=30, blank=True)
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = "专家"
        verbose_name_plural = "专家库"
        ordering = ["specialty", "user__username"]
        indexes = [models.Index(fields=["specialty", "active"], name="disputes_expert_specialty")]

    def __str__(self) -> str:
        return f"{self.user}（{self.get_specialty_display()}）"

    def clean(self) -> None:
        if self.user_id and self.user.role != Role.EXPERT:
            raise ValidationError({"user": ERR_EXPERT_ROLE})


class DisputeItemQuerySet(TenantQuerySet):
    tenant_field = "institution"

    def for_expert(self, user) -> DisputeItemQuerySet:
        return self.filter(
            pk__in=PanelAssignment.objects.filter(expert__user=user).values("item_id")
        )


class DisputeItem(models.Model):
    """特病单议/争议申请 — one filing of a hospital, from draft to the decision applied in settlement."""

    kind = models.CharField("申请类型", max_length=20, choices=ItemKind.choices)
    institution = models.ForeignKey(
        "catalogs.Institution",
        on_delete=models.PROTECT,
        related_name="dispute_items",
        verbose_name="申请机构",
    )
    period = models.ForeignKey(
        "settlement.SettlementPeriod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_items",
        verbose_name="结算期间",
    )
    case = models.ForeignKey(
        "settlement.CaseRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_items",
        db_constraint=False,  # the case table is partitioned by year (settlement/partitions/)
        verbose_name="结算清单",
    )
    subject = models.CharField("争议事项", max_length=20, choices=Subject.choices, blank=True)
    subject_ref = models.CharField(
        "争议对象", max_length=100, blank=True, help_text="病种编码、结算批次号、扣款单号等。"
    )
    run = models.ForeignKey(
        "settlement.SettlementRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_items",
        verbose_name="结算批次",
        help_text="争议所涉的结算运行（申请机构须在该批次中有结算单）。",
    )
    statement_line = models.ForeignKey(
        "settlement.RunInstitution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_items",
        verbose_name="结算单",
        help_text="对公示结算单提出的异议所涉的结算单（结算批次中申请机构的一行）。",
    )
    group = models.ForeignKey(
        "catalogs.CatalogGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_items",
        verbose_name="病种/病组",
        help_text="争议所涉的病种/病组（本统筹区已发布或已停用的目录版本）。",
    )
    reasons = models.JSONField("申请理由", default=list, blank=True)
    statement = models.TextField("申请陈述")
    status = models.CharField(
        "状态", max_length=20, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    due_on = models.DateField("本环节办理时限", null=True, blank=True)
    screen_note = models.TextField("初审意见", blank=True)
    screened_by = _user("初审人")
    screened_at = models.DateTimeField("初审时间", null=True, blank=True)
    panel_rule = models.CharField("表决规则", max_length=12, choices=PanelRule.choices, blank=True)
    panel_seed = models.BigIntegerField("抽取随机种子", null=True, blank=True)
    panel_pool = models.JSONField(
        "抽取候选专家",
        default=list,
        blank=True,
        help_text="抽取时符合条件的专家ID，与种子一起可复现抽取。",
    )
    decision = models.CharField("处理决定", max_length=20, choices=Decision.choices, blank=True)
    decision_value = models.DecimalField(
        "调整后分值", max_digits=12, decimal_places=4, null=True, blank=True
    )
    decision_reason = models.TextField("决定理由", blank=True)
    decided_by = _user("决定人")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    applied_at = models.DateTimeField("执行时间", null=True, blank=True)
    created_by = _user("填报人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DisputeItemQuerySet.as_manager()

    class Meta:
        verbose_name = "特病单议/争议申请"
        verbose_name_plural = "特病单议/争议申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ItemKind.OBJECTION) | Q(case__isnull=False, period__isnull=False),
                name="%(app_label)s_%(class)s_special_case_has_case",
                violation_error_message=ERR_SPECIAL_CASE_NEEDS_CASE,
            ),
            models.CheckConstraint(
                condition=Q(kind=ItemKind.SPECIAL_CASE) | ~Q(subject=""),
                name="%(app_label)s_%(class)s_objection_has_subject",
                violation_error_message=ERR_OBJECTION_NEEDS_SUBJECT,
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ItemStatus.DECIDED, ItemStatus.APPLIED]) | ~Q(decision=""),
                name="%(app_label)s_%(class)s_decided_has_decision",
                violation_error_message=ERR_DECIDED_NEEDS_DECISION,
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.ADJUSTED_SCORE) | Q(decision_value__isnull=False),
                name="%(app_label)s_%(class)s_score_has_value",
                violation_error_message=ERR_SCORE_NEEDS_VALUE,
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(kind=ItemKind.SPECIAL_CASE) & ~Q(status=ItemStatus.WITHDRAWN),
                name="%(app_label)s_%(class)s_one_per_case",
                violation_error_message=ERR_ONE_PER_CASE,
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"], name="disputes_item_inst_status"),
            models.Index(fields=["status", "due_on"], name="disputes_item_queue"),
            models.Index(fields=["kind", "period", "institution"], name="disputes_item_quota"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def number(self) -> str:
        """申请编号, e.g. TB000012 (特病) / ZY000013 (争议)."""
        return f"{'TB' if self.kind == ItemKind.SPECIAL_CASE else 'ZY'}{self.pk or 0:06d}"

    @property
    def is_overdue(self) -> bool:
        """Still being handled and past the stage's deadline (逾期)."""
        return bool(
            self.due_on and self.status in ItemStatus.open() and self.due_on < timezone.localdate()
        )

    @property
    def reason_labels(self) -> list[str]:
        return [Reason(reason).label for reason in self.reasons if reason in Reason.values]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.case_id and self.institution_id and self.case.institution_id != self.institution_id:
            errors["case"] = ERR_CASE_OF_OTHER_INSTITUTION
        if self.case_id and self.period_id and self.case.period_id != self.period_id:
            errors["period"] = ERR_CASE_PERIOD
        elif (
            self.period_id
            and self.institution_id
            and self.period.region_id != self.institution.region_id
        ):
            errors["period"] = ERR_PERIOD_REGION
        errors.update(self._link_errors())
        unknown = (
            [r for r in self.reasons if r not in Reason.values]
            if isinstance(self.reasons, list)
            else [str(self.reasons)]
        )
        if unknown:
            errors["reasons"] = ERR_UNKNOWN_REASON.format(reason="、".join(map(str, unknown)))
        elif self.kind == ItemKind.SPECIAL_CASE and not self.reasons:
            errors["reasons"] = ERR_REASONS
        if errors:
            raise ValidationError(errors)

    def _link_errors(self) -> dict[str, str]:
        """The linked run and group must be the filing institution's region's; the run must hold the
        institution's statement (directly, or in its consortium lead's as a member, 医共体成员)."""
        errors: dict[str, str] = {}
        if not self.institution_id:
            return errors
        region_id = self.institution.region_id
        if self.run_id and self.run.region_id != region_id:
            errors["run"] = ERR_RUN_REGION
        elif self.run_id and not self._institution_in_run():
            errors["run"] = ERR_RUN_INSTITUTION
        if self.statement_line_id and (
            self.statement_line.run_id != self.run_id
            or self.statement_line.institution_id != self.institution_id
        ):
            errors["statement_line"] = ERR_STATEMENT_LINE
        if self.group_id and self.group.version.region_id != region_id:
            errors["group"] = ERR_GROUP_REGION
        elif self.group_id and self.group.version.status not in LINKABLE_CATALOG_STATUSES:
            errors["group"] = ERR_GROUP_VERSION
        return errors

    def _institution_in_run(self) -> bool:
        institution = self.institution
        lead = self.run.lead_of(institution)
        booked = [institution.pk, lead] if lead else [institution.pk]
        rows = self.run.institutions.filter(institution_id__in=booked).values_list(
            "institution_id", "members"
        )
        return any(
            pk == institution.pk or institution.pk in (members or []) for pk, members in rows
        )


class ItemChildQuerySet(TenantQuerySet):
    """Rows that belong to an item are visible exactly when the item is."""

    tenant_field = "item__institution"

    def for_expert(self, user) -> ItemChildQuerySet:
        return self.filter(item__in=DisputeItem.objects.for_expert(user))


class Attachment(models.Model):
    """附件 — evidence of an item: PDF, JPEG or PNG, checked by its first bytes, with its SHA-256."""

    item = models.ForeignKey(
        DisputeItem, on_delete=models.CASCADE, related_name="attachments", verbose_name="申请"
    )
    file = models.FileField("文件", upload_to="disputes/%Y/%m/", max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = _user("上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ItemChildQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["item", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TimelineEntry(models.Model):
    """办理记录 — one step of an item's history as the hospital and the bureau see it."""

    item = models.ForeignKey(
        DisputeItem, on_delete=models.CASCADE, related_name="timeline", verbose_name="申请"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = _user("办理人")
    from_status = models.CharField("原状态", max_length=20, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=ItemStatus.choices, blank=True)
    note = models.TextField("说明", blank=True)

    objects = ItemChildQuerySet.as_manager()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["item", "at", "id"]
        indexes = [models.Index(fields=["item", "at"], name="disputes_timeline_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    """意见交流 — a message on an item from the hospital, the bureau or a panel expert."""

    item = models.ForeignKey(
        DisputeItem, on_delete=models.CASCADE, related_name="comments", verbose_name="申请"
    )
    author = _user("发表人")
    body = models.TextField("内容")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = ItemChildQuerySet.as_manager()

    class Meta:
        verbose_name = "意见"
        verbose_name_plural = "意见"
        ordering = ["item", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}：{self.body[:20]}"


class PanelAssignment(models.Model):
    """专家组成员 — an expert drawn for an item, and the expert's opinion and vote."""

    item = models.ForeignKey(
        DisputeItem, on_delete=models.CASCADE, related_name="panel", verbose_name="申请"
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="assignments", verbose_name="专家"
    )
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)
    drawn_by = _user("抽取人")
    opinion = models.TextField("评审意见", blank=True)
    vote = models.CharField("表决", max_length=10, choices=Vote.choices, blank=True)
    voted_at = models.DateTimeField("表决时间", null=True, blank=True)

    objects = ItemChildQuerySet.as_manager()

    class Meta:
        verbose_name = "专家组成员"
        verbose_name_plural = "专家组成员"
        ordering = ["item", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "expert"],
                name="%(app_label)s_%(class)s_one_seat",
                violation_error_message=ERR_ONE_SEAT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.expert.user}"


class Notification(models.Model):
    """站内通知 — one message in a user's inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    item = models.ForeignKey(
        DisputeItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="申请",
    )
    message = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="disputes_notification_unread")]

    def __str__(self) -> str:
        return self.message[:40]


# --------------------------------------------------------------------------- negotiation (协商谈判)

ERR_REPRESENTATIVE_NEEDS_INSTITUTION = "医疗机构代表必须选择所代表的机构。"
ERR_INSTITUTION_REGION = "参会机构不属于会议所在统筹区。"
ERR_AGREED_NEEDS_OUTCOME = "达成一致的议题必须填写协商结果。"
ERR_LINK_NEEDS_AGREEMENT = "只有达成一致的议题可以关联其形成的参数或目录版本。"
ERR_LINK_REGION = "关联的参数或目录版本不属于会议所在统筹区。"
ERR_POSITION_MEETING = "发表意见的代表必须是本次会议的参会人员。"
ERR_ONE_POSITION = "同一代表对同一议题只能有一条意见。"
ERR_YEAR = "年度应在 2000–2100 之间。"


class MeetingQuerySet(TenantQuerySet):
    """The bureau sees every meeting; a hospital sees (read-only) the meetings its institution attended."""

    region_field = "region"

    def for_user(self, user) -> MeetingQuerySet:
        if (
            user is not None
            and user.is_authenticated
            and user.is_active
            and user.role == Role.HOSPITAL
            and user.institution_id
        ):
            return self.filter(
                pk__in=Participant.objects.filter(institution_id=user.institution_id).values(
                    "meeting_id"
                )
            )
        return super().for_user(user)


class Meeting(models.Model):
    """协商会议 — a collective negotiation with representative institutions of all levels and types (domain spec §15)."""

    region = models.ForeignKey(
        "catalogs.Region",
        on_delete=models.PROTECT,
        related_name="negotiation_meetings",
        verbose_name="统筹区",
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("会议日期")
    status = models.CharField(
        "状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField("会议纪要", blank=True)
    created_by = _user("登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "协商会议"
        verbose_name_plural = "协商会议"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=ERR_YEAR,
            ),
        ]
        indexes = [models.Index(fields=["region", "year"], name="disputes_meeting_region_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"


class Participant(models.Model):
    """参会人员 — a representative of an institution, or of the bureau, an expert or an observer."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name="会议"
    )
    institution = models.ForeignKey(
        "catalogs.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="negotiation_seats",
        verbose_name="代表机构",
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField(
        "参会身份",
        max_length=20,
        choices=ParticipantRole.choices,
        default=ParticipantRole.REPRESENTATIVE,
    )

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=ParticipantRole.REPRESENTATIVE) | Q(institution__isnull=False),
                name="%(app_label)s_%(class)s_representative_has_institution",
                violation_error_message=ERR_REPRESENTATIVE_NEEDS_INSTITUTION,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.institution.name if self.institution_id else self.get_role_display()}）"

    def clean(self) -> None:
        if (
            self.institution_id
            and self.meeting_id
            and self.institution.region_id != self.meeting.region_id
        ):
            raise ValidationError({"institution": ERR_INSTITUTION_REGION})


class AgendaItem(models.Model):
    """协商议题 — a proposal, the positions taken on it, the agreed outcome and what that outcome produced."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name="会议"
    )
    order = models.PositiveSmallIntegerField("序号", default=1)
    topic = models.CharField("议题类别", max_length=20, choices=AgendaTopic.choices)
    proposal = models.TextField("方案内容")
    status = models.CharField(
        "结论", max_length=12, choices=AgendaStatus.choices, default=AgendaStatus.OPEN
    )
    outcome = models.TextField("协商结果", blank=True)
    parameter_set = models.ForeignKey(
        "settlement.ParameterSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="negotiation_outcomes",
        verbose_name="形成的结算参数版本",
    )
    catalog_version = models.ForeignKey(
        "catalogs.CatalogVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="negotiation_outcomes",
        verbose_name="形成的目录版本",
    )

    class Meta:
        verbose_name = "协商议题"
        verbose_name_plural = "协商议题"
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=AgendaStatus.AGREED) | ~Q(outcome=""),
                name="%(app_label)s_%(class)s_agreed_has_outcome",
                violation_error_message=ERR_AGREED_NEEDS_OUTCOME,
            ),
            models.CheckConstraint(
                condition=Q(status=AgendaStatus.AGREED)
                | Q(parameter_set__isnull=True, catalog_version__isnull=True),
                name="%(app_label)s_%(class)s_link_needs_agreement",
                violation_error_message=ERR_LINK_NEEDS_AGREEMENT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.title} 议题{self.order}：{self.get_topic_display()}"

    def clean(self) -> None:
        region_id = self.meeting.region_id if self.meeting_id else None
        linked = [
            obj
            for obj in (
                self.parameter_set if self.parameter_set_id else None,
                self.catalog_version if self.catalog_version_id else None,
            )
            if obj is not None
        ]
        if any(obj.region_id != region_id for obj in linked):
            raise ValidationError(ERR_LINK_REGION)


class Position(models.Model):
    """代表意见 — one participant's stance on one agenda item, with what they said."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="positions", verbose_name="议题"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="positions", verbose_name="代表"
    )
    stance = models.CharField("意见", max_length=10, choices=Stance.choices)
    statement = models.TextField("发言要点", blank=True)

    class Meta:
        verbose_name = "代表意见"
        verbose_name_plural = "代表意见"
        ordering = ["agenda_item", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "participant"],
                name="%(app_label)s_%(class)s_one_per_participant",
                violation_error_message=ERR_ONE_POSITION,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.name}：{self.get_stance_display()}"

    def clean(self) -> None:
        if (
            self.agenda_item_id
            and self.participant_id
            and self.participant.meeting_id != self.agenda_item.meeting_id
        ):
            raise ValidationError({"participant": ERR_POSITION_MEETING})
