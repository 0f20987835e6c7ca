"""The portal's table of contents: every page, grouped by who uses it (proposals/views/<module>)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from proposals.views import (
    accounts,
    cohandling,
    countersign,
    deputies,
    deputy_accounts,
    deputy_feedback,
    deputy_login,
    documents,
    drafting,
    follow_up,
    grouping,
    importing,
    public,
    receipt,
    records,
    registration,
    review,
    supervision,
)

urlpatterns = [
    # Drafting and review (经办人, 主管领导): start page, 我的办理, the reply and its editor
    path("", drafting.home, name="home"),
    path("replies/", drafting.reply_list, name="reply_list"),
    path("work/", drafting.queue, name="queue"),
    path("assignments/<int:pk>/start/", drafting.assignment_start, name="assignment_start"),
    path("replies/<int:pk>/", drafting.reply_detail, name="reply_detail"),
    path("replies/<int:pk>/edit/", drafting.reply_edit, name="reply_edit"),
    path("replies/<int:pk>/preview/", drafting.reply_preview, name="reply_preview"),
    path("replies/<int:pk>/submit/", drafting.reply_submit, name="reply_submit"),
    path("replies/<int:pk>/return/", drafting.reply_return, name="reply_return"),
    path("replies/<int:pk>/sign-off/", drafting.reply_sign_off, name="reply_sign_off"),
    path("replies/<int:pk>/issue/", drafting.reply_issue, name="reply_issue"),
    path("replies/<int:pk>/publish/", drafting.reply_publish, name="reply_publish"),
    path("replies/<int:pk>/withdraw/", drafting.reply_withdraw, name="reply_withdraw"),
    path("replies/<int:pk>/revoke/", drafting.reply_revoke, name="reply_revoke"),
    path("replies/<int:pk>/unpublish/", drafting.reply_unpublish, name="reply_unpublish"),
    path("replies/<int:pk>/extension/", drafting.reply_extension, name="reply_extension"),
    path("replies/<int:pk>/communications/", drafting.reply_communication, name="reply_communication"),
    path("replies/<int:pk>/changes/", drafting.reply_changes, name="reply_changes"),
    path("replies/<int:pk>/versions/<int:number>/", drafting.version_detail, name="version_detail"),
    path(
        "replies/<int:pk>/versions/<int:number>/restore/",
        importing.version_restore,
        name="version_restore",
    ),
    path("replies/<int:pk>/import/", importing.reply_import, name="reply_import"),
    # The letter as files
    path("replies/<int:pk>/pdf/", documents.reply_pdf, name="reply_pdf"),
    path("replies/<int:pk>/docx/", documents.reply_docx, name="reply_docx"),
    path("replies/<int:pk>/feedback-form/", documents.feedback_form_pdf, name="feedback_form_pdf"),
    path("letters/fonts.css", documents.letter_font_css, name="letter_font_css"),
    path("letters/fonts/<str:role>.ttf", documents.licensed_font, name="licensed_font"),
    # Co-handling (协办／会办): the 会办意见
    path("assignments/<int:pk>/opinion/", cohandling.opinion_edit, name="opinion_edit"),
    # 会签: the co-handler reads the lead's draft beside its 会办意见 and agrees or comments
    path("assignments/<int:pk>/countersign/", countersign.countersign_page, name="countersign"),
    # 签收 and 退办 (the agency; committee staff decide a request)
    path("assignments/<int:pk>/receive/", receipt.assignment_receive, name="assignment_receive"),
    path("assignments/<int:pk>/handback/", receipt.assignment_handback, name="assignment_handback"),
    path("handback/<int:pk>/", receipt.handback_decide, name="handback_decide"),
    # 跟踪办理 (the agency, committee staff): commitments, progress, the 办理落实情况的报告
    path("follow-up/", follow_up.commitment_list, name="commitment_list"),
    path("follow-up/<int:pk>/", follow_up.commitment_detail, name="commitment_detail"),
    path("follow-up/<int:pk>/edit/", follow_up.commitment_edit, name="commitment_edit"),
    path("follow-up/<int:pk>/progress/", follow_up.commitment_progress, name="commitment_progress"),
    path("follow-up/<int:pk>/report/", follow_up.commitment_report, name="commitment_report"),
    # Committee supervision: dashboard, statistics, 督办, ratings, notices
    path("dashboard/", supervision.committee_dashboard, name="dashboard"),
    path("statistics/", supervision.statistics_page, name="statistics"),
    path("statistics/<str:table>.xlsx", supervision.statistics_xlsx, name="statistics_xlsx"),
    path("assignments/<int:pk>/supervise/", supervision.assignment_supervise, name="assignment_supervise"),
    path("replies/<int:pk>/feedback/", supervision.reply_feedback, name="reply_feedback"),
    # 督办审核 (when the session's rule is on): pass (the class may change, with a reason) or return
    path("replies/<int:pk>/review/pass/", review.reply_review_pass, name="reply_review_pass"),
    path("replies/<int:pk>/review/return/", review.reply_review_return, name="reply_review_return"),
    path("feedback/<int:pk>/correct/", supervision.feedback_correct, name="feedback_correct"),
    path("notices/", supervision.notices, name="notices"),
    path("notices/read/", supervision.notices_read, name="notices_read"),
    path("notices/<int:pk>/open/", supervision.notice_open, name="notice_open"),
    # Registration and intake (committee staff): proposals, 交办, 调整承办单位
    path("intake/", registration.intake, name="intake"),
    path("intake/template.xlsx", registration.intake_template, name="intake_template"),
    path("proposals/new/", registration.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", registration.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", registration.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/assignments/new/", registration.proposal_assign, name="proposal_assign"),
    path("assignments/<int:pk>/edit/", registration.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/reassign/", registration.assignment_reassign, name="assignment_reassign"),
    path("groups/new/", grouping.group_new, name="group_new"),
    path("groups/<int:pk>/split/", grouping.group_split, name="group_split"),
    # Records: audit trail, verification, filing exports
    path("audit/", records.audit_log, name="audit_log"),
    path("audit.xlsx", records.audit_xlsx, name="audit_xlsx"),
    path("verify/", records.verify_letter, name="verify_letter"),
    path("exports/", records.exports, name="exports"),
    path("exports/<int:pk>/", records.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", records.export_download, name="export_download"),
    # The public side, without login
    path("public/", public.public_list, name="public_list"),
    path("public/replies/<int:pk>/", public.public_reply, name="public_reply"),
    path("public/replies/<int:pk>/pdf/", public.public_reply_pdf, name="public_reply_pdf"),
    # The deputies' side (代表／委员): their proposals, issued letters, notices, SMS choice
    path("deputy/", deputies.deputy_home, name="deputy_home"),
    path("deputy/proposals/<int:pk>/", deputies.deputy_proposal, name="deputy_proposal"),
    path("deputy/replies/<int:pk>/pdf/", deputies.deputy_reply_pdf, name="deputy_reply_pdf"),
    path("deputy/replies/<int:pk>/download/", deputies.deputy_reply_download, name="deputy_reply_download"),
    path("deputy/notices/", deputies.deputy_notices, name="deputy_notices"),
    path("deputy/notices/read/", deputies.deputy_notices_read, name="deputy_notices_read"),
    path("deputy/settings/", deputies.deputy_settings, name="deputy_settings"),
    path("deputy/replies/<int:pk>/feedback/", deputy_feedback.deputy_feedback, name="deputy_feedback"),
    # 代表／委员账号 (committee staff): mobiles, 开通账号 in bulk or one by one, 停用
    path("deputies/accounts/", deputy_accounts.deputy_accounts, name="deputy_accounts"),
    path("deputies/<int:pk>/account/open/", deputy_accounts.deputy_account_open, name="deputy_account_open"),
    path(
        "deputies/<int:pk>/account/close/", deputy_accounts.deputy_account_close, name="deputy_account_close"
    ),
    path("deputies/<int:pk>/mobile/", deputy_accounts.deputy_mobile, name="deputy_mobile"),
    # The deputies' login: mobile and SMS code, or password; setting that password
    path("deputy/login/", deputy_login.deputy_login, name="deputy_login"),
    path("deputy/password/", deputy_login.deputy_password, name="deputy_password"),
    # Accounts
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/password/", accounts.password_change, name="password_change"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

handler403 = "proposals.views.accounts.permission_denied"
