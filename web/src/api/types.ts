// Names for the generated schemas the app uses, so that modules import these rather than
// reaching into the generated files.
import type { components as C } from "./generated/command-api";
import type { components as R } from "./generated/read-api";

export type Problem = C["schemas"]["Problem"];
export type ProblemCode = Problem["code"];
export type FieldError = C["schemas"]["FieldError"];
export type FieldCode = C["schemas"]["FieldCode"];
export type Role = C["schemas"]["Role"];
export type TokenResponse = C["schemas"]["TokenResponse"];
export type UserSummary = C["schemas"]["UserSummary"];
export type Me = C["schemas"]["Me"];
export type PasswordChanged = C["schemas"]["PasswordChanged"];
export type CreateProduct = C["schemas"]["CreateProduct"];
export type UpdateProduct = C["schemas"]["UpdateProduct"];

export type ProductRow = R["schemas"]["ProductRow"];
export type ProductPage = R["schemas"]["Page_ProductRow"];
export type ProductStatus = R["schemas"]["ProductStatus"];
export type Unit = R["schemas"]["Unit"];

export type CreateUser = C["schemas"]["CreateUser"];
export type UserRow = R["schemas"]["UserRow"];
export type UserPage = R["schemas"]["Page_UserRow"];
export type UserStatus = R["schemas"]["UserStatus"];
export type AuditPage = R["schemas"]["Page_AuditRow"];
export type AuditRow = R["schemas"]["AuditRow"];
