import type { ReactNode } from "react";
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from "react-aria-components";
import { FormError } from "./Field";

interface ConfirmDialogProps {
  trigger: string;
  /** The trigger's accessible name when its text alone is ambiguous (e.g. one per table row). */
  triggerLabel?: string;
  title: string;
  children: ReactNode;
  confirm: string;
  pending?: boolean;
  error?: string | undefined;
  onConfirm: (close: () => void) => void;
  /** Told when the dialog opens or closes (e.g. to clear a refusal shown in it). */
  onOpenChange?: (open: boolean) => void;
}

/** An accessible modal confirmation (focus trapped, Escape closes), for destructive actions. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <DialogTrigger onOpenChange={props.onOpenChange}>
      <Button className="button danger" aria-label={props.triggerLabel}>
        {props.trigger}
      </Button>
      <ModalOverlay className="overlay" isDismissable>
        <Modal className="modal">
          <Dialog role="alertdialog" className="dialog">
            {({ close }) => (
              <>
                <Heading slot="title">{props.title}</Heading>
                <div className="dialog-body">{props.children}</div>
                <FormError message={props.error} />
                <div className="actions">
                  <Button className="button secondary" onPress={close}>
                    Cancel
                  </Button>
                  <Button
                    className="button danger"
                    isDisabled={props.pending}
                    onPress={() => props.onConfirm(close)}
                  >
                    {props.pending ? "Working…" : props.confirm}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
