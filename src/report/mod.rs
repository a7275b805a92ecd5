//! REPORTS: the machine card and HTML pieces. Reports take data; they never
//! measure.

mod card;
pub mod html;
