import type { JobScheduleTable, JobTable } from '../jobs/jobs.table.ts'
import type {
  LoginAttemptTable,
  LoginChallengeTable,
  OneTimeLinkTable,
  SessionTable,
  UserTable,
} from '../modules/accounts/accounts.table.ts'
import type { AuditHeadTable, AuditLogTable } from '../modules/audit/audit.table.ts'
import type {
  InvitationTable,
  MembershipTable,
  OrganisationTable,
} from '../modules/organisations/organisations.table.ts'
import type {
  FrameworkRequirementTable,
  FrameworkVersionTable,
} from '../modules/framework/framework.table.ts'
import type { ProductTable, ProductVersionTable } from '../modules/products/products.table.ts'
import type {
  LabelSigningKeyTable,
  LabelStatusChangeTable,
  LabelTable,
} from '../modules/labels/labels.table.ts'
import type {
  AssessmentAnswerTable,
  AssessmentFileTable,
  AssessmentTable,
  EvidenceBlobTable,
} from '../modules/assessments/assessments.table.ts'
import type { SettingTable } from '../modules/settings/settings.table.ts'
import type {
  VexDocumentTable,
  VexPublicationTable,
  VexStatementTable,
} from '../modules/vex/vex.table.ts'
import type { LabelPolicyStateTable } from '../modules/label-policy/label-policy.table.ts'
import type { ReviewTable, ReviewVerdictTable } from '../modules/reviews/reviews.table.ts'
import type { NotificationTable } from '../modules/notifications/notifications.table.ts'
import type { ApiTokenTable } from '../modules/tokens/tokens.table.ts'
import type {
  WebhookDeliveryTable,
  WebhookEndpointTable,
} from '../modules/webhooks/webhooks.table.ts'
import type {
  SbomComponentCpeTable,
  SbomComponentTable,
  SbomDependencyTable,
  SbomDocumentTable,
} from '../modules/sboms/sboms.table.ts'
import type {
  AdvisoryAliasTable,
  AdvisoryChangeTable,
  AdvisoryCsafProductTable,
  AdvisoryCsafRemediationTable,
  AdvisoryCsafStatusTable,
  AdvisoryCsafVulnerabilityTable,
  AdvisoryImportTable,
  AdvisoryKevTable,
  AdvisoryOsvAffectedTable,
  AdvisoryTable,
} from '../modules/advisories/advisories.table.ts'
import type {
  FindingCursorTable,
  FindingCveTable,
  FindingEvaluationTable,
  FindingTable,
  FindingVendorKeyTable,
} from '../modules/findings/findings.table.ts'

/** Every table, as Kysely sees it. Each module owns its tables in `<module>.table.ts`. */
export interface Database {
  users: UserTable
  sessions: SessionTable
  login_challenges: LoginChallengeTable
  login_attempts: LoginAttemptTable
  one_time_links: OneTimeLinkTable
  organisations: OrganisationTable
  memberships: MembershipTable
  invitations: InvitationTable
  api_tokens: ApiTokenTable
  audit_log: AuditLogTable
  audit_head: AuditHeadTable
  settings: SettingTable
  jobs: JobTable
  framework_versions: FrameworkVersionTable
  framework_requirements: FrameworkRequirementTable
  job_schedules: JobScheduleTable
  products: ProductTable
  product_versions: ProductVersionTable
  label_signing_keys: LabelSigningKeyTable
  labels: LabelTable
  label_status_changes: LabelStatusChangeTable
  assessments: AssessmentTable
  assessment_answers: AssessmentAnswerTable
  evidence_blobs: EvidenceBlobTable
  assessment_files: AssessmentFileTable
  reviews: ReviewTable
  review_verdicts: ReviewVerdictTable
  notifications: NotificationTable
  sbom_documents: SbomDocumentTable
  sbom_components: SbomComponentTable
  sbom_component_cpes: SbomComponentCpeTable
  sbom_dependencies: SbomDependencyTable
  advisory_imports: AdvisoryImportTable
  advisories: AdvisoryTable
  advisory_aliases: AdvisoryAliasTable
  advisory_osv_affected: AdvisoryOsvAffectedTable
  advisory_csaf_products: AdvisoryCsafProductTable
  advisory_csaf_vulnerabilities: AdvisoryCsafVulnerabilityTable
  advisory_csaf_statuses: AdvisoryCsafStatusTable
  advisory_csaf_remediations: AdvisoryCsafRemediationTable
  advisory_kev: AdvisoryKevTable
  advisory_changes: AdvisoryChangeTable
  findings: FindingTable
  finding_cves: FindingCveTable
  finding_evaluations: FindingEvaluationTable
  finding_vendor_keys: FindingVendorKeyTable
  finding_cursors: FindingCursorTable
  webhook_endpoints: WebhookEndpointTable
  webhook_deliveries: WebhookDeliveryTable
  vex_documents: VexDocumentTable
  vex_statements: VexStatementTable
  vex_publications: VexPublicationTable
  label_policy_states: LabelPolicyStateTable
}
