import Foundation
@testable import ReseqCore

/// A hand-made shape holding every object kind, for tests that need no server.
extension Fixtures {
    static func objects(comment: String = "orders placed") -> SchemaObjects {
        let orders = name("public", "orders"), customers = name("public", "customers")
        return SchemaObjects(
            schemas: [SchemaDef(name: "public", owner: "app", comment: "standard public schema"),
                      SchemaDef(name: "Billing", owner: "app")],
            extensions: [ExtensionDef(name: "plpgsql", version: "1.0", schema: "pg_catalog"),
                         ExtensionDef(name: "citext", version: "1.6", schema: "public")],
            types: [TypeDef(name: name("public", "mood"), kind: .enum, owner: "app", details: ["sad", "ok", "happy"],
                            formatted: "public.mood"),
                    TypeDef(name: name("public", "posint"), kind: .domain, owner: "app",
                            details: ["base integer", "NOT NULL", "CONSTRAINT posint_check CHECK (VALUE > 0)"],
                            formatted: "public.posint")],
            tables: [
                TableDef(name: customers, owner: "app", estimatedRows: 5000,
                         columns: [ColumnDef(name: "id", type: "bigint", notNull: true, identity: .byDefault),
                                   ColumnDef(name: "email", type: "text", notNull: true),
                                   ColumnDef(name: "active", type: "boolean", notNull: true, defaultExpression: "true")],
                         constraints: [ConstraintDef(name: "customers_pkey", kind: .primaryKey, definition: "PRIMARY KEY (id)")],
                         indexes: [IndexDef(name: "customers_pkey", definition: "CREATE UNIQUE INDEX customers_pkey ON public.customers USING btree (id)",
                                            unique: true, constraint: "customers_pkey"),
                                   IndexDef(name: "customers_email_key", definition: "CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (email)",
                                            unique: true)]),
                TableDef(name: orders, kind: .partitioned, partitionKey: "RANGE (placed)", owner: "app", rowSecurity: true,
                         estimatedRows: 12_000_000, comment: comment,
                         columns: [ColumnDef(name: "id", type: "bigint", notNull: true,
                                             defaultExpression: "nextval('orders_id_seq'::regclass)"),
                                   ColumnDef(name: "customer_id", type: "bigint", notNull: true),
                                   ColumnDef(name: "amount", type: "numeric"),
                                   ColumnDef(name: "mood", type: "public.mood"),
                                   ColumnDef(name: "note", type: "character varying", collation: "pg_catalog.\"C\"",
                                             comment: "q\"uote\\back/slash\n\t é 🚀"),
                                   ColumnDef(name: "total", type: "numeric", generated: "(amount * 2)"),
                                   ColumnDef(name: "placed", type: "date", notNull: true, defaultExpression: "CURRENT_DATE")],
                         constraints: [ConstraintDef(name: "orders_amount_check", kind: .check, definition: "CHECK ((amount > (0)::numeric))"),
                                       ConstraintDef(name: "orders_customer_id_fkey", kind: .foreignKey,
                                                     definition: "FOREIGN KEY (customer_id) REFERENCES public.customers(id) DEFERRABLE",
                                                     deferrable: true, references: customers),
                                       ConstraintDef(name: "orders_pkey", kind: .primaryKey, definition: "PRIMARY KEY (id, placed)")],
                         indexes: [IndexDef(name: "orders_customer_id_idx", definition: "CREATE INDEX orders_customer_id_idx ON ONLY public.orders USING btree (customer_id) WHERE (amount > (0)::numeric)"),
                                   IndexDef(name: "orders_pkey", definition: "CREATE UNIQUE INDEX orders_pkey ON ONLY public.orders USING btree (id, placed)",
                                            unique: true, constraint: "orders_pkey")],
                         triggers: [TriggerDef(name: "last_updated", definition: "CREATE TRIGGER last_updated BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
                                               function: name("public", "touch"))],
                         policies: [PolicyDef(name: "mine", command: "r", roles: ["app", "public"], using: "(customer_id = 1)", check: nil)]),
                TableDef(name: name("public", "orders_2026"), kind: .partition, partitionOf: orders,
                         partitionBound: "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')", owner: "app",
                         columns: [ColumnDef(name: "id", type: "bigint", notNull: true)]),
            ],
            views: [ViewDef(name: name("public", "big_orders"), owner: "app", definition: " SELECT id\n   FROM public.orders\n  WHERE (amount > (100)::numeric);",
                            dependsOn: [orders]),
                    ViewDef(name: name("public", "totals"), materialized: true, owner: "app", definition: " SELECT count(*) AS n\n   FROM public.orders;",
                            indexes: [IndexDef(name: "totals_n", definition: "CREATE INDEX totals_n ON public.totals USING btree (n)")])],
            functions: [FunctionDef(name: name("public", "touch"), arguments: "", owner: "app", result: "trigger",
                                    definition: "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$ BEGIN NEW.placed := now(); RETURN NEW; END $function$\n"),
                        FunctionDef(name: name("Billing", "bill"), arguments: "p integer", kind: .procedure, owner: "app",
                                    securityDefiner: true, definition: "CREATE OR REPLACE PROCEDURE \"Billing\".bill(IN p integer)\n LANGUAGE sql\n SECURITY DEFINER\nAS $procedure$ SELECT 1 $procedure$\n")])
    }
}
