//! The columns of the product and customer CSV files: what read-api exports and what
//! command-api imports, one list each so that the two cannot drift apart.

pub const PRODUCT: [&str; 9] = [
    "sku",
    "name",
    "price",
    "vat_rate",
    "unit",
    "category",
    "barcode",
    "low_stock_threshold",
    "status",
];

pub const CUSTOMER: [&str; 20] = [
    "code",
    "legal_name",
    "siren",
    "siret",
    "vat_number",
    "email",
    "phone",
    "billing_line1",
    "billing_line2",
    "billing_postal_code",
    "billing_city",
    "billing_country",
    "shipping_line1",
    "shipping_line2",
    "shipping_postal_code",
    "shipping_city",
    "shipping_country",
    "payment_terms",
    "credit_limit",
    "status",
];
