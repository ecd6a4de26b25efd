-- Handing issued invoices and credit notes to an approved platform (plateforme agréée).
--
-- `transmissions` is an outbox of documents, on the write side: a row is written by a
-- trigger in the very transaction that issues the document (InvoiceIssued,
-- CreditNoteIssued), so a document is queued exactly when it exists. command-api's
-- dispatcher claims due rows (FOR UPDATE SKIP LOCKED), hands each to the platform with
-- the document's number as idempotency key (unique, and what platforms refuse twice), and records what the platform reports as
-- DeliveryStatusRecorded events; this table only keeps the dispatcher's bookkeeping.
CREATE TABLE transmissions
(
    -- A credit note's id is chosen by the client and unique within its invoice only.
    invoice_id      uuid        NOT NULL,
    document_id     uuid        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number          text        NOT NULL,
    -- The invoice stream's version holding the document: the document is read back at
    -- that version (read-your-writes), never before its read models hold it.
    invoice_version bigint      NOT NULL,
    -- 'pending' until the platform took it; then the last status it reported.
    status          text        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'deposited', 'rejected', 'accepted', 'paid')),
    platform_ref    text,
    attempts        integer     NOT NULL DEFAULT 0,
    -- When the dispatcher looks at the row next: a deposit to retry, or a status to ask.
    due_at          timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (invoice_id, document_id),
    UNIQUE (number)
);

-- What the dispatcher scans: rows not final, by when they are due.
CREATE INDEX transmissions_due ON transmissions (due_at)
    WHERE status NOT IN ('rejected', 'paid');

CREATE FUNCTION queue_transmission() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    body json := NEW.payload -> NEW.event_type;
BEGIN
    INSERT INTO transmissions (invoice_id, document_id, kind, number, invoice_version)
    VALUES (NEW.aggregate_id::uuid,
            CASE NEW.event_type
                WHEN 'InvoiceIssued' THEN NEW.aggregate_id::uuid
                ELSE (body ->> 'credit_note_id')::uuid END,
            CASE NEW.event_type WHEN 'InvoiceIssued' THEN 'invoice' ELSE 'credit_note' END,
            body ->> 'number',
            NEW.sequence)
    ON CONFLICT (invoice_id, document_id) DO NOTHING;
    PERFORM pg_notify('gescom_transmissions', '');
    RETURN NULL;
END
$$;

-- AFTER: the number is the one `events_invoice_number` (BEFORE) wrote into the payload.
CREATE TRIGGER events_queue_transmission
    AFTER INSERT
    ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'Invoice' AND NEW.event_type IN ('InvoiceIssued', 'CreditNoteIssued'))
EXECUTE FUNCTION queue_transmission();

-- The read model: each document's latest status at the platform, from the invoice's
-- DeliveryStatusRecorded events (the projector's).
CREATE TABLE invoice_transmissions
(
    invoice_id   uuid        NOT NULL,
    document_id  uuid        NOT NULL,
    kind         text        NOT NULL,
    number       text        NOT NULL,
    status       text        NOT NULL,
    platform_ref text,
    reason       text,
    reported_at  timestamptz NOT NULL,
    PRIMARY KEY (invoice_id, document_id)
);
