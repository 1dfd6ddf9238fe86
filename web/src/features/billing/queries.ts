import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { unwrap } from "../../lib/errors";

export type PlanId = components["schemas"]["PlanRead"]["id"];

export function usePlans() {
  return useQuery({
    queryKey: ["billing-plans"],
    queryFn: () => unwrap(api.GET("/api/v1/billing/plans")),
    staleTime: 5 * 60_000,
  });
}

export const PAID_POLLS = 60;

/** Usage changes on other pages and reaches billing through its events, so the overview
 * is fetched on every visit and refreshed while shown. */
export const USAGE_REFRESH_MS = 5000;

/** Plan, status, renewal, limits and usage; with `untilPaid`, polled each second while
 * still on Free. */
export function useBillingOverview(untilPaid = false) {
  return useQuery({
    queryKey: ["billing-overview"],
    queryFn: () => unwrap(api.GET("/api/v1/billing/overview")),
    staleTime: 0,
    refetchInterval: (query) =>
      untilPaid &&
      (query.state.data?.plan ?? "free") === "free" &&
      query.state.dataUpdateCount < PAID_POLLS
        ? 1000
        : USAGE_REFRESH_MS,
  });
}

export function useUsage() {
  return useQuery({
    queryKey: ["usage"],
    queryFn: () => unwrap(api.GET("/api/v1/usage")),
    staleTime: 0,
  });
}

/** Opens a Stripe Checkout session for the plan; the caller sends the browser to its URL. */
export function useCheckout() {
  return useMutation({
    mutationFn: (plan: PlanId) => unwrap(api.POST("/api/v1/billing/checkout", { body: { plan } })),
  });
}

export function usePortal() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/billing/portal")),
  });
}

/** Development only (billing's BILLING_DEV_CHECKOUT): the test checkout page's session. */
export function useDevCheckout(token: string) {
  return useQuery({
    queryKey: ["dev-checkout", token],
    enabled: Boolean(token),
    retry: false,
    queryFn: () =>
      unwrap(api.GET("/api/v1/billing/dev-checkout", { params: { query: { token } } })),
  });
}

/** "Pay": billing delivers Stripe's signed checkout.session.completed, then the browser
 * goes to the success URL, as after Stripe's hosted page. */
export function useDevCheckoutPay() {
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(api.POST("/api/v1/billing/dev-checkout/pay", { body: { token } })),
  });
}
