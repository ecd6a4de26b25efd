-- Invoices, their credit notes (avoirs) and payments: one Invoice stream per invoice.
-- The write side's numbering and key, kept in the events' own transactions, and the read
-- models the projector writes.

-- Document numbers, gap-free per series and year: FAC-<year>-<6 digits> for invoices,
-- AV-<year>-<6 digits> for credit notes, the year being that of the document's
-- `issue_date` (so a number and its date always agree). As for orders (0005), the
-- counter row moves in the event's own transaction: a number is used exactly when its
-- document exists, and concurrent issues queue on the year's row for the rest of their
-- short transaction.
CREATE TABLE invoice_number_counters
(
    series text   NOT NULL CHECK (series IN ('FAC', 'AV')),
    year   bigint NOT NULL,
    last   bigint NOT NULL,
    PRIMARY KEY (series, year)
);

-- One invoice per order: the key is taken in the InvoiceIssued event's transaction, so
-- that two concurrent issues of one order cannot both commit; the second raises GS005
-- (command-api: 409 `order_already_invoiced`). Invoicing deliveries one by one would key
-- this by delivery instead.
CREATE TABLE invoiced_orders
(
    order_id   text PRIMARY KEY,
    invoice_id text NOT NULL
);

CREATE FUNCTION number_invoice_document() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    kind       text := NEW.event_type;
    doc_series text;
    doc_year   bigint;
    n          bigint;
BEGIN
    IF kind = 'InvoiceIssued' THEN
        INSERT INTO invoiced_orders (order_id, invoice_id)
        VALUES (NEW.payload -> kind ->> 'order_id', NEW.aggregate_id)
        ON CONFLICT (order_id) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order % is already invoiced', NEW.payload -> kind ->> 'order_id'
                USING ERRCODE = 'GS005';
        END IF;
        doc_series := 'FAC';
    ELSE
        doc_series := 'AV';
    END IF;
    doc_year := extract(year FROM (NEW.payload -> kind ->> 'issue_date')::date);
    INSERT INTO invoice_number_counters AS c (series, year, last)
    VALUES (doc_series, doc_year, 1)
    ON CONFLICT (series, year) DO UPDATE SET last = c.last + 1
    RETURNING last INTO n;
    -- `events.payload` is json (postgres-es): edit it as jsonb.
    NEW.payload := jsonb_set(NEW.payload::jsonb, ARRAY [kind, 'number'],
                             to_jsonb(format('%s-%s-%s', doc_series, doc_year,
                                             lpad(n::text, 6, '0'))))::json;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_invoice_number
    BEFORE INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'Invoice' AND NEW.event_type IN ('InvoiceIssued', 'CreditNoteIssued'))
    EXECUTE FUNCTION number_invoice_document();

-- Read model: invoices. Every column comes from the invoice's own events: the customer's
-- code and name, the seller and the buyer are snapshots taken at issue time. `status` is
-- issued, partly_paid, paid or credited; read-api shows `overdue` for an issued or partly
-- paid invoice past its due date.
CREATE TABLE invoices
(
    id            uuid PRIMARY KEY,
    number        text        NOT NULL,
    status        text        NOT NULL,
    order_id      uuid        NOT NULL,
    order_number  text        NOT NULL,
    customer_id   uuid        NOT NULL,
    customer_code text        NOT NULL,
    customer_name text        NOT NULL,
    issue_date    date        NOT NULL,
    delivery_date date        NOT NULL,
    due_date      date        NOT NULL,
    payment_terms text        NOT NULL,
    currency      text        NOT NULL,
    seller        jsonb       NOT NULL,
    buyer         jsonb       NOT NULL,
    line_count    integer     NOT NULL,
    total_net     numeric     NOT NULL,
    total_vat     numeric     NOT NULL,
    total_gross   numeric     NOT NULL,
    vat_lines     jsonb       NOT NULL,
    credited      numeric     NOT NULL DEFAULT 0,
    paid          numeric     NOT NULL DEFAULT 0,
    balance       numeric GENERATED ALWAYS AS (total_gross - credited - paid) STORED,
    version       bigint      NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    search        text GENERATED ALWAYS AS (
        lower(number) || ' ' || lower(order_number) || ' ' || lower(customer_code) || ' ' ||
        lower(customer_name)) STORED
);

CREATE UNIQUE INDEX invoices_by_number ON invoices (number);
CREATE INDEX invoices_search_trgm ON invoices USING gin (search gin_trgm_ops);
CREATE INDEX invoices_by_issue_date ON invoices (issue_date, id);
CREATE INDEX invoices_by_due_date ON invoices (due_date, id);
CREATE INDEX invoices_by_total ON invoices (total_gross, id);
CREATE INDEX invoices_by_customer ON invoices (customer_id, issue_date);
CREATE INDEX invoices_by_order ON invoices (order_id);
-- Receivables read the invoices that still owe something.
CREATE INDEX invoices_open ON invoices (customer_id, due_date) WHERE status IN ('issued', 'partly_paid');

CREATE TABLE invoice_lines
(
    invoice_id        uuid    NOT NULL,
    line_no           integer NOT NULL,
    order_line_no     integer NOT NULL,
    product_id        uuid    NOT NULL,
    sku               text    NOT NULL,
    label             text    NOT NULL,
    unit              text    NOT NULL,
    quantity          numeric NOT NULL,
    unit_price        numeric NOT NULL,
    discount          numeric NOT NULL,
    vat_rate          numeric NOT NULL,
    net               numeric NOT NULL,
    credited_quantity numeric NOT NULL DEFAULT 0,
    credited_net      numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (invoice_id, line_no)
);

-- Credit notes and payments are keyed within their invoice: their ids come from the
-- invoice's stream (a client may choose them, to retry safely).
CREATE TABLE credit_notes
(
    invoice_id  uuid        NOT NULL,
    id          uuid        NOT NULL,
    number      text        NOT NULL,
    issue_date  date        NOT NULL,
    reason      text        NOT NULL,
    total_net   numeric     NOT NULL,
    total_vat   numeric     NOT NULL,
    total_gross numeric     NOT NULL,
    vat_lines   jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    PRIMARY KEY (invoice_id, id)
);

CREATE UNIQUE INDEX credit_notes_by_number ON credit_notes (number);
CREATE INDEX credit_notes_by_issue_date ON credit_notes (issue_date);

CREATE TABLE credit_note_lines
(
    invoice_id      uuid    NOT NULL,
    credit_note_id  uuid    NOT NULL,
    line_no         integer NOT NULL,
    invoice_line_no integer NOT NULL,
    quantity        numeric,
    vat_rate        numeric NOT NULL,
    net             numeric NOT NULL,
    PRIMARY KEY (invoice_id, credit_note_id, line_no)
);

CREATE TABLE invoice_payments
(
    invoice_id  uuid        NOT NULL,
    id          uuid        NOT NULL,
    paid_on     date        NOT NULL,
    amount      numeric     NOT NULL,
    method      text        NOT NULL,
    reference   text,
    recorded_at timestamptz NOT NULL,
    recorded_by text        NOT NULL,
    PRIMARY KEY (invoice_id, id)
);

CREATE INDEX invoice_payments_by_day ON invoice_payments (paid_on);

-- For analysts (docs/analytics.md): invoices with what they still owe, their credit notes
-- and payments. The analyst role reads them by 0013's default privileges.
CREATE VIEW analytics.invoices AS
SELECT id, number, status, order_id, order_number, customer_id, customer_code, customer_name,
       issue_date, delivery_date, due_date, payment_terms, line_count, total_net, total_vat,
       total_gross, credited, paid, balance,
       status IN ('issued', 'partly_paid')
           AND due_date < (now() AT TIME ZONE 'Europe/Paris')::date AS overdue,
       version, created_at, updated_at
  FROM public.invoices;

CREATE VIEW analytics.credit_notes AS
SELECT c.id, c.number, c.invoice_id, i.number AS invoice_number, i.customer_id, c.issue_date,
       c.reason, c.total_net, c.total_vat, c.total_gross, c.created_at
  FROM public.credit_notes c
  JOIN public.invoices i ON i.id = c.invoice_id;

CREATE VIEW analytics.invoice_payments AS
SELECT p.id, p.invoice_id, i.number AS invoice_number, i.customer_id, p.paid_on, p.amount,
       p.method, p.recorded_at
  FROM public.invoice_payments p
  JOIN public.invoices i ON i.id = p.invoice_id;
