//! The reviews gold layer (build_gold_layer.py): the declared silver schema and the default
//! aggregation — reviews per 1-minute window of `review_timestamp`, product_category and
//! star_rating, with a 10-second watermark.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::Result;
use crate::runtime::stream::{duration, Aggregate, QuerySpec, Window};

/// The silver review schema, as the original program declares it: the reviews joined with the
/// customers who wrote them, stamped with the time they arrived.
#[must_use]
pub(crate) fn silver_schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let int = |name: &str| Field::new(name, DataType::Int32, true);
    Arc::new(Schema::new(vec![
        text("marketplace"),
        text("customer_id"),
        text("review_id"),
        text("product_id"),
        text("product_parent"),
        text("product_title"),
        text("product_category"),
        int("star_rating"),
        int("helpful_votes"),
        int("total_votes"),
        text("vine"),
        text("verified_purchase"),
        text("review_headline"),
        text("review_body"),
        Field::new("purchase_date", DataType::Date32, true),
        Field::new("review_timestamp", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
        text("customer_name"),
        text("gender"),
        Field::new("date_of_birth", DataType::Date32, true),
        text("city"),
        text("state"),
    ]))
}

/// The default gold query: per 1-minute window, product_category and star_rating, the number of
/// reviews, the average star rating and the total helpful votes.
///
/// # Errors
/// Never for the built-in texts; the signature keeps parsing errors visible.
pub(crate) fn default_spec() -> Result<QuerySpec> {
    Ok(QuerySpec {
        event_time: "review_timestamp".into(),
        watermark_delay: duration::parse_micros("10 seconds")?,
        window: Some(Window::parse("1 minute", None)?),
        group_by: vec!["product_category".into(), "star_rating".into()],
        aggregates: vec![
            Aggregate::parse("reviews=count(*)")?,
            Aggregate::parse("avg_star_rating=avg(star_rating)")?,
            Aggregate::parse("helpful_votes=sum(helpful_votes)")?,
        ],
        output_mode: crate::runtime::stream::OutputMode::Append,
    })
}
