//! AWS resource types. For now the schema half: what each type's properties
//! and attributes are. Create / read / update / delete arrive with apply.

pub mod registry;
pub mod schema;
pub mod types;
