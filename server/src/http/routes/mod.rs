pub mod addin_pages;
pub mod caller;
pub mod health;
pub mod icons;
pub mod manifest;
pub mod openapi;
pub mod personal_vmrs;
pub mod reservations;
