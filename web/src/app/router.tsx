import { createBrowserRouter } from "react-router";
import { Layout } from "./Layout";
import { RequireAuth } from "./RequireAuth";
import { RouteError } from "./RouteError";

// Every page is its own chunk; sign-in pages too, so the entry holds only the shell.
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
});

export const router = createBrowserRouter([
  { path: "/login", lazy: page(() => import("../features/auth/LoginPage")) },
  { path: "/register", lazy: page(() => import("../features/auth/RegisterPage")) },
  { path: "/forgot-password", lazy: page(() => import("../features/auth/ForgotPasswordPage")) },
  { path: "/reset-password", lazy: page(() => import("../features/auth/ResetPasswordPage")) },
  {
    element: <RequireAuth />,
    errorElement: <RouteError />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, lazy: page(() => import("../features/overview/OverviewPage")) },
          { path: "accounts", lazy: page(() => import("../features/accounts/AccountsPage")) },
          { path: "campaigns", lazy: page(() => import("../features/campaigns/CampaignsPage")) },
          {
            path: "campaigns/new",
            lazy: page(() => import("../features/campaigns/CampaignCreatePage")),
          },
          {
            path: "campaigns/:campaignId",
            lazy: page(() => import("../features/campaigns/CampaignDetailPage")),
          },
          {
            path: "campaigns/:campaignId/edit",
            lazy: page(() => import("../features/campaigns/CampaignEditPage")),
          },
          {
            path: "campaigns/:campaignId/ad-groups/new",
            lazy: page(() => import("../features/ad-groups/AdGroupCreatePage")),
          },
          {
            path: "ad-groups/:adGroupId",
            lazy: page(() => import("../features/ad-groups/AdGroupPage")),
          },
          {
            path: "ad-groups/:adGroupId/edit",
            lazy: page(() => import("../features/ad-groups/AdGroupEditPage")),
          },
          {
            path: "creatives/:creativeId/edit",
            lazy: page(() => import("../features/ad-groups/CreativeEditPage")),
          },
          { path: "rules", lazy: page(() => import("../features/rules/RulesPage")) },
          { path: "rules/:ruleId", lazy: page(() => import("../features/rules/RulePage")) },
          {
            path: "rules/:ruleId/edit",
            lazy: page(() => import("../features/rules/RuleEditPage")),
          },
          {
            path: "rule-runs/:runId",
            lazy: page(() => import("../features/rules/RunPage")),
          },
          { path: "segments", lazy: page(() => import("../features/audiences/SegmentsPage")) },
          {
            path: "segments/:segmentId",
            lazy: page(() => import("../features/audiences/SegmentPage")),
          },
          { path: "audiences", lazy: page(() => import("../features/audiences/AudiencesPage")) },
          {
            path: "audiences/:audienceId",
            lazy: page(() => import("../features/audiences/AudiencePage")),
          },
          {
            path: "sync-jobs/:jobId",
            lazy: page(() => import("../features/audiences/SyncJobPage")),
          },
          {
            path: "oauth/:platform/callback",
            lazy: page(() => import("../features/audiences/OAuthCallbackPage")),
          },
          { path: "webhooks", lazy: page(() => import("../features/webhooks/WebhooksPage")) },
          {
            path: "webhooks/:webhookId",
            lazy: page(() => import("../features/webhooks/WebhookPage")),
          },
          { path: "exports", lazy: page(() => import("../features/exports/ExportsPage")) },
          { path: "privacy", lazy: page(() => import("../features/privacy/PrivacyPage")) },
          {
            path: "privacy/erasures/:erasureId",
            lazy: page(() => import("../features/privacy/ErasurePage")),
          },
          { path: "billing", lazy: page(() => import("../features/billing/BillingPage")) },
          {
            path: "billing/dev-checkout",
            lazy: page(() => import("../features/billing/DevCheckoutPage")),
          },
          {
            path: "billing/:outcome",
            lazy: page(() => import("../features/billing/CheckoutReturnPage")),
          },
          { path: "api-keys", lazy: page(() => import("../features/keys/ApiKeysPage")) },
          { path: "settings", lazy: page(() => import("../features/settings/SettingsPage")) },
          { path: "*", lazy: page(() => import("./NotFoundPage")) },
        ],
      },
    ],
  },
]);
