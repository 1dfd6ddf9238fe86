import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from "react-aria-components";
import { useForm } from "react-hook-form";
import { Field, FormActions } from "../../components/Field";
import { applyServerError } from "../../lib/forms";
import {
  type Account,
  type AccountEditValues,
  accountEditSchema,
  accountLabel,
  EDIT_FIELDS,
  editValuesOf,
  updateBody,
} from "./accountForm";
import { DisconnectedReason } from "./DisconnectedReason";
import { useUpdateAccount } from "./queries";
import { TimeZoneField } from "./TimeZoneField";

interface FormProps {
  account: Account;
  close: () => void;
}

function tokenHint(account: Account, reconnect: boolean): string {
  if (reconnect)
    return "Required: a token the platform issued for this ad account. Stored encrypted.";
  if (account.is_connected) return "Optional: replaces the stored token. Leave empty to keep it.";
  return "Optional: lets AdScale fetch metrics. Stored encrypted, never shown again.";
}

function AccountEditForm({ account, close }: FormProps) {
  // Fixed while the dialog is open: a reconnect refreshes the row to "active" before it closes.
  const [reconnect] = useState(account.status === "disconnected");
  const update = useUpdateAccount(account.id);
  const form = useForm<AccountEditValues>({
    resolver: zodResolver(accountEditSchema(reconnect)),
    defaultValues: editValuesOf(account),
  });
  const { errors, isSubmitting } = form.formState;
  const label = accountLabel(account);
  const submit = form.handleSubmit(async (values) => {
    const body = updateBody(account, values);
    if (Object.keys(body).length === 0) {
      close(); // nothing changed: nothing to send
      return;
    }
    try {
      await update.mutateAsync(body);
      close();
    } catch (error) {
      applyServerError(error, form.setError, EDIT_FIELDS);
    }
  });
  return (
    <form onSubmit={submit} noValidate>
      <Heading slot="title">{reconnect ? `Reconnect ${label}` : `Edit ${label}`}</Heading>
      {reconnect ? (
        <div className="dialog-body">
          <DisconnectedReason reason={account.disconnected_reason} />
          <p>
            A new access token reconnects the account: metrics and rule changes reach the platform
            again. Its campaigns and their history stay as they are.
          </p>
        </div>
      ) : null}
      <Field label="Name" error={errors.account_name?.message}>
        {(p) => <input {...p} {...form.register("account_name")} />}
      </Field>
      <TimeZoneField error={errors.time_zone?.message} registration={form.register("time_zone")} />
      <Field
        label={account.is_connected || reconnect ? "New access token" : "Access token"}
        error={errors.access_token?.message}
        hint={tokenHint(account, reconnect)}
      >
        {(p) => (
          <input
            {...p}
            type="password"
            autoComplete="off"
            required={reconnect}
            {...form.register("access_token")}
          />
        )}
      </Field>
      <FormActions
        error={errors.root?.server?.message}
        cancel={
          <button type="button" className="button secondary" onClick={close}>
            Cancel
          </button>
        }
        pending={isSubmitting}
        label={reconnect ? "Reconnect" : "Save changes"}
      />
    </form>
  );
}

/**
 * "Edit" (an active account) or "Reconnect" (a disconnected one): a modal form for the name,
 * the time zone and a new access token, sent as a PATCH of the changed fields.
 */
export function AccountEditDialog({ account }: { account: Account }) {
  const reconnect = account.status === "disconnected";
  const action = reconnect ? "Reconnect" : "Edit";
  return (
    <DialogTrigger>
      <Button
        className={`button ${reconnect ? "primary" : "secondary"}`}
        aria-label={`${action} ${accountLabel(account)}`}
      >
        {action}
      </Button>
      <ModalOverlay className="overlay">
        <Modal className="modal">
          <Dialog className="dialog">
            {({ close }) => <AccountEditForm account={account} close={close} />}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
