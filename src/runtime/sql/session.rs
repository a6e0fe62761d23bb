//! A Spark SQL session on DataFusion: temporary views, `spark.sql`, and the runtime queries run on.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use datafusion::common::SchemaError;
use datafusion::common::{Column, TableReference};
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{col, Expr};
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use tokio::runtime::{Builder, Runtime};

use super::spark::{self, Spellings};
use crate::core::storage::Location;
use crate::core::text::datetime::SessionZone;
use crate::error::{Error, Result};
use crate::runtime::catalog::provider::{self, CatalogTableProvider};
use crate::runtime::catalog::read::Engine;
use crate::runtime::catalog::table::CatalogTable;

/// The runtime DataFusion executes on: a named multi-threaded tokio runtime with one worker per
/// glueless thread (DataFusion's operators are async; the rayon pool stays for the kernels).
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(crate::core::pool::thread_count())
            .thread_name("glueless-sql")
            .enable_all()
            .build()
            .expect("the SQL runtime starts (threads and timers are available)")
    })
}

/// Run a DataFusion future to completion on the SQL runtime.
pub(crate) fn run<F: Future>(future: F) -> F::Output {
    runtime().block_on(future)
}

/// A DataFusion error as the core's error: Arrow errors stay Arrow errors, the rest is SQL.
pub(crate) fn sql_error(err: DataFusionError) -> Error {
    if let DataFusionError::ResourcesExhausted(detail) = err.find_root() {
        return crate::runtime::memory::exhausted(detail);
    }
    match err {
        DataFusionError::ArrowError(e, _) => Error::Arrow(*e),
        DataFusionError::External(e) => match e.downcast::<Error>() {
            Ok(own) => *own,
            Err(other) => Error::Sql(other.to_string()),
        },
        DataFusionError::Context(_, inner) => sql_error(*inner),
        other => Error::Sql(other.strip_backtrace().lines().next().unwrap_or_default().to_string()),
    }
}

/// A view as registered: the spelling of each of its (lower-case) column names, and the names
/// two or more of its columns share (ignoring case), with their spellings.
#[derive(Debug, Clone)]
struct View {
    columns: HashMap<String, String>,
    ambiguous: Shared,
}

/// Marks the stand-in names of a view's columns that share a name: Spark keeps them all (`SELECT
/// *` gives each) and refuses a reference to the name as ambiguous; DataFusion's tables hold one
/// column of a name, so each gets a name of its own (`customername__glueless_dup2`).
const DUPLICATE_MARK: &str = "__glueless_dup";

/// One session's views and DataFusion context (a `SparkSession`, or a `GlueContext`'s).
pub(crate) struct SqlSession {
    ctx: SessionContext,
    views: Mutex<HashMap<String, View>>,
    /// Tables created by `CREATE TABLE` in this session, by lower-case name.
    pub(super) tables: Mutex<HashMap<String, super::execute::SessionTable>>,
    /// `SET` / `spark.conf.set` values.
    pub(super) settings: Mutex<std::collections::BTreeMap<String, String>>,
}

impl std::fmt::Debug for SqlSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlSession").finish_non_exhaustive()
    }
}

/// Spark's database of global temporary views.
pub(crate) const GLOBAL_TEMP: &str = "global_temp";

impl Default for SqlSession {
    fn default() -> Self {
        Self::new()
    }
}

impl SqlSession {
    /// A session with Spark's functions (datafusion-spark) over DataFusion's.
    #[must_use]
    pub(crate) fn new() -> Self {
        Self {
            ctx: SessionContext::new_with_state(spark_state()),
            views: Mutex::new(HashMap::new()),
            tables: Mutex::new(HashMap::new()),
            settings: Mutex::new(std::collections::BTreeMap::new()),
        }
    }

    /// The session's time zone (`spark.sql.session.timeZone`): the zone of its instants.
    pub(crate) fn time_zone(&self) -> String {
        self.ctx.state().config().options().execution.time_zone.clone().unwrap_or_else(|| "UTC".to_string())
    }

    /// A function (a Python UDF) callable by its name in this session's queries.
    pub(crate) fn register_udf(&self, udf: Arc<datafusion::logical_expr::ScalarUDF>) {
        self.ctx.register_udf(udf.as_ref().clone());
    }

    /// The DataFusion context queries plan in.
    pub(crate) fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// A view (or session table) of this name exists.
    #[must_use]
    pub(crate) fn has_view(&self, name: &str) -> bool {
        self.views.lock().unwrap_or_else(PoisonError::into_inner).contains_key(&name.to_lowercase())
    }

    /// A lazy frame over in-memory batches.
    ///
    /// # Errors
    /// [`Error::Sql`] when the batches do not match `schema`.
    pub(crate) fn frame_of(&self, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<DataFrame> {
        let table = MemTable::try_new(schema, vec![batches]).map_err(sql_error)?;
        self.ctx.read_table(Arc::new(table)).map_err(sql_error)
    }

    /// `createOrReplaceTempView(name)`: register `frame` for [`SqlSession::sql`], replacing a view
    /// of that name (Glue Studio's SQL nodes register their inputs' aliases again at every node).
    ///
    /// # Errors
    /// [`Error::Sql`] from DataFusion's catalog.
    pub(crate) fn register_view(&self, name: &str, frame: &DataFrame) -> Result<()> {
        let lower = name.to_lowercase();
        let (projection, columns, ambiguous) = lower_case_projection(frame);
        // The view reads `frame`'s plan, not the view it replaces, so a view defined over an
        // earlier view of its own name keeps that earlier plan (as Spark's temporary views do).
        let view = frame.clone().select(projection).map_err(sql_error)?;
        let reference = self.view_reference(&lower)?;
        self.ctx.deregister_table(reference.clone()).map_err(sql_error)?;
        self.ctx.register_table(reference, view.into_view()).map_err(sql_error)?;
        self.views.lock().unwrap_or_else(PoisonError::into_inner).insert(lower, View { columns, ambiguous });
        Ok(())
    }

    /// Make a Data Catalog table readable as `database.table`, as Spark with the catalog as its
    /// Hive metastore reads it: the declared columns, in lower case, through the table's SerDe
    /// (`runtime::catalog::read`), only the columns a query uses.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a declared type glueless does not know; [`Error::Sql`]
    /// from DataFusion's catalog.
    pub(crate) fn register_catalog_table(&self, table: CatalogTable, location: Location) -> Result<()> {
        let default_catalog = self.ctx.state().config().options().catalog.default_catalog.clone();
        provider::register(&self.ctx, &default_catalog, table, location, Engine::Spark)
    }

    /// After `USE database`: the catalog table also readable by its bare name, unless a temporary
    /// view or session table has that name (Spark resolves those first). True when registered.
    ///
    /// # Errors
    /// As for [`SqlSession::register_catalog_table`].
    pub(crate) fn register_current_database_table(&self, table: CatalogTable, location: Location) -> Result<bool> {
        let name = table.name.to_lowercase();
        if self.has_view(&name) {
            return Ok(false);
        }
        let provider = CatalogTableProvider::new(table, location, Engine::Spark)?;
        let reference = TableReference::bare(name);
        self.ctx.deregister_table(reference.clone()).map_err(sql_error)?;
        self.ctx.register_table(reference, Arc::new(provider)).map_err(sql_error)?;
        Ok(true)
    }

    /// A bare name [`SqlSession::register_current_database_table`] registered, forgotten (the
    /// current database changed), unless a view has taken the name since.
    ///
    /// # Errors
    /// [`Error::Sql`] from DataFusion's catalog.
    pub(crate) fn forget_current_database_table(&self, name: &str) -> Result<()> {
        let name = name.to_lowercase();
        if !self.has_view(&name) {
            self.ctx.deregister_table(TableReference::bare(name)).map_err(sql_error)?;
        }
        Ok(())
    }

    /// Drop a temporary view; true when there was one.
    ///
    /// # Errors
    /// [`Error::Sql`] from DataFusion's catalog.
    pub(crate) fn drop_view(&self, name: &str) -> Result<bool> {
        let lower = name.to_lowercase();
        self.views.lock().unwrap_or_else(PoisonError::into_inner).remove(&lower);
        Ok(self.ctx.deregister_table(self.view_reference(&lower)?).map_err(sql_error)?.is_some())
    }

    /// Where the view `lower` lives: a global temporary view is `global_temp.name` (Spark's
    /// database of them), any other a bare name.
    fn view_reference(&self, lower: &str) -> Result<TableReference> {
        Ok(match lower.split_once('.') {
            Some((GLOBAL_TEMP, view_name)) => {
                let catalog = self.ctx.state().config().options().catalog.default_catalog.clone();
                crate::runtime::catalog::provider::database_schema(&self.ctx, &catalog, GLOBAL_TEMP)?;
                TableReference::partial(GLOBAL_TEMP, view_name)
            }
            _ => TableReference::bare(lower),
        })
    }

    /// The registered views' names, sorted.
    #[must_use]
    pub(crate) fn view_names(&self) -> Vec<String> {
        let mut names: Vec<String> =
            self.views.lock().unwrap_or_else(PoisonError::into_inner).keys().cloned().collect();
        names.sort();
        names
    }

    /// `spark.sql(query)` with Spark's identifier rules: the result's columns are spelled as Spark
    /// spells them. Nothing runs until the frame is collected or written.
    ///
    /// # Errors
    /// [`Error::Sql`] for a statement that does not parse or plan (unknown view or column, …).
    pub(crate) fn sql(&self, query: &str) -> Result<DataFrame> {
        if let Some(command) = super::commands::parse(query)? {
            return self.execute(command);
        }
        let zone = SessionZone::parse(&self.time_zone()).unwrap_or_else(SessionZone::utc);
        let mut parsed = spark::parse(query, zone)?;
        if !matches!(parsed.statement, datafusion::sql::sqlparser::ast::Statement::Query(_)) {
            return Err(Error::Unsupported(format!(
                "spark.sql runs queries (SELECT, WITH …); not supported by glueless: {}",
                first_words(query)
            )));
        }
        let state = self.ctx.state();
        super::set_types::keep_multiset_counts(&mut parsed.statement, &|side| {
            let side = datafusion::sql::sqlparser::ast::Statement::Query(Box::new(side.clone()));
            let plan = run(state.statement_to_plan(DfStatement::Statement(Box::new(side)))).ok()?;
            Some(plan.schema().fields().iter().map(|f| f.name().clone()).collect())
        });
        let statement = DfStatement::Statement(Box::new(parsed.statement.clone()));
        let referenced: Vec<String> = state
            .resolve_table_references(&statement)
            .map_err(sql_error)?
            .iter()
            .map(|t| t.table().to_string())
            .collect();
        let frame = match run(state.statement_to_plan(statement)) {
            Ok(plan) => {
                let plan = super::set_types::widen_unions(plan, &state).map_err(sql_error)?;
                DataFrame::new(state, plan)
            }
            Err(err) if duplicate_output_names(&err) => {
                let mut statement = parsed.statement.clone();
                let stand_ins = spark::distinct_output_names(&mut statement, &parsed.output_names);
                let statement = DfStatement::Statement(Box::new(statement));
                let plan =
                    run(state.statement_to_plan(statement)).map_err(|_| self.planning_error(&referenced, err))?;
                named_back(DataFrame::new(state, plan), &stand_ins)?
            }
            Err(err) => return Err(self.planning_error(&referenced, err)),
        };
        let columns = self.column_spellings(&referenced);
        restore_spellings(frame, &parsed.spellings, &columns)
    }

    /// Run `query` with `frames` registered under the given view names for its duration (the
    /// frame operations of the DataFrame API are expressed this way, under Spark's SQL rules).
    ///
    /// # Errors
    /// As for [`SqlSession::sql`].
    pub(crate) fn sql_over(&self, query: &str, frames: &[(&str, &DataFrame)]) -> Result<DataFrame> {
        // Operations of one session run one at a time (Python holds its frames on one thread).
        static OVER: Mutex<()> = Mutex::new(());
        let _guard = OVER.lock().unwrap_or_else(PoisonError::into_inner);
        for (name, frame) in frames {
            self.register_view(name, frame)?;
        }
        let result = self.sql(query);
        for (name, _) in frames {
            self.drop_view(name)?;
        }
        result
    }

    /// A planning error as Spark words it: a name that columns of a view share is an ambiguous
    /// reference (DataFusion only sees that no column has it).
    fn planning_error(&self, referenced: &[String], err: DataFusionError) -> Error {
        if let Some(name) = missing_field(&err) {
            let views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(spellings) = referenced.iter().find_map(|v| views.get(v)?.ambiguous.get(name)) {
                let candidates: Vec<String> = spellings.iter().map(|s| format!("`{s}`")).collect();
                return Error::Sql(format!(
                    "[AMBIGUOUS_REFERENCE] Reference `{}` is ambiguous, could be: [{}].",
                    spellings[0],
                    candidates.join(", ")
                ));
            }
        }
        sql_error(err)
    }

    /// How the views a query reads spell their columns (the first view named wins a clash).
    fn column_spellings(&self, referenced: &[String]) -> HashMap<String, String> {
        let views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
        let mut spellings = HashMap::new();
        for name in referenced {
            let Some(view) = views.get(name) else { continue };
            for (lower, spelled) in &view.columns {
                spellings.entry(lower.clone()).or_insert_with(|| spelled.clone());
            }
        }
        spellings
    }
}

/// The column a planning error found no field for.
fn missing_field(err: &DataFusionError) -> Option<&str> {
    match err.find_root() {
        DataFusionError::SchemaError(e, _) => match e.as_ref() {
            SchemaError::FieldNotFound { field, .. } => Some(field.name()),
            _ => None,
        },
        _ => None,
    }
}

/// DataFusion refused a query because two output columns share a name (which Spark allows).
fn duplicate_output_names(err: &DataFusionError) -> bool {
    match err.find_root() {
        DataFusionError::SchemaError(e, _) => matches!(
            e.as_ref(),
            SchemaError::DuplicateQualifiedField { .. }
                | SchemaError::DuplicateUnqualifiedField { .. }
                | SchemaError::AmbiguousReference { .. }
        ),
        DataFusionError::Plan(message) => message.contains("require unique expression names"),
        _ => false,
    }
}

/// The outermost select items planned under stand-in names get their own names back, each
/// qualified by its stand-in so that two of one name stay apart (as Spark's output keeps them).
fn named_back(frame: DataFrame, stand_ins: &[(String, String)]) -> Result<DataFrame> {
    let projection: Vec<Expr> = frame
        .schema()
        .iter()
        .map(|(qualifier, field)| {
            let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
            match stand_ins.iter().find(|(marker, _)| marker == field.name()) {
                Some((marker, name)) => column.alias_qualified(Some(TableReference::bare(marker.clone())), name),
                None => column,
            }
        })
        .collect();
    frame.select(projection).map_err(sql_error)
}

fn first_words(query: &str) -> String {
    query.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// Names that two or more columns share ignoring case, with each column's spelling.
type Shared = HashMap<String, Vec<String>>;

/// Each column of `frame` under its lower-case name, the spellings they came from, and the names
/// that columns share ignoring case (each such column under its own [`DUPLICATE_MARK`] name).
fn lower_case_projection(frame: &DataFrame) -> (Vec<Expr>, HashMap<String, String>, Shared) {
    let mut shared = Shared::new();
    for field in frame.schema().fields() {
        shared.entry(field.name().to_lowercase()).or_default().push(field.name().clone());
    }
    shared.retain(|_, spellings| spellings.len() > 1);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut columns: HashMap<String, String> = HashMap::new();
    let mut projection = Vec::new();
    for (qualifier, field) in frame.schema().iter() {
        let lower = field.name().to_lowercase();
        let name = if shared.contains_key(&lower) {
            let n = seen.entry(lower.clone()).or_default();
            *n += 1;
            format!("{lower}{DUPLICATE_MARK}{n}")
        } else {
            lower
        };
        columns.insert(name.clone(), field.name().clone());
        projection.push(Expr::Column(Column::new(qualifier.cloned(), field.name())).alias(name));
    }
    (projection, columns, shared)
}

/// Rename the lower-case output columns of a query as Spark would name them: an alias as the
/// query wrote it, a view's column as the view spells it. Columns [`named_back`] named are
/// spelled already.
fn restore_spellings(frame: DataFrame, spellings: &Spellings, columns: &HashMap<String, String>) -> Result<DataFrame> {
    let mut changed = false;
    let projection: Vec<Expr> = frame
        .schema()
        .iter()
        .map(|(qualifier, field)| {
            let name = field.name();
            if qualifier.is_some_and(|q| q.table().starts_with(spark::OUTPUT_MARKER)) {
                return Expr::Column(Column::new(qualifier.cloned(), name));
            }
            let spelled = spellings.alias(name).or_else(|| columns.get(name).map(String::as_str)).unwrap_or(name);
            let column = Expr::Column(Column::new(qualifier.cloned(), name));
            if name.contains(DUPLICATE_MARK) {
                // One of several columns of a name: its own qualifier keeps it apart.
                changed = true;
                let apart = format!("{}{name}", qualifier.map(TableReference::table).unwrap_or_default());
                return column.alias_qualified(Some(TableReference::bare(apart)), spelled);
            }
            if spelled == name {
                column
            } else {
                changed = true;
                column.alias_qualified(qualifier.cloned(), spelled)
            }
        })
        .collect();
    if !changed {
        return Ok(frame);
    }
    frame.select(projection).map_err(sql_error)
}

/// `col(name)` for an exact (case-preserved) column name.
#[must_use]
pub(crate) fn exact(name: &str) -> Expr {
    col(Column::new_unqualified(name))
}

/// A DataFusion session state with Spark's rules and functions (what every SQL session and a
/// lambda's body are planned in).
pub(crate) fn spark_state() -> datafusion::execution::session_state::SessionState {
    let mut config = SessionConfig::new()
        .with_target_partitions(crate::core::pool::thread_count())
        .with_information_schema(false)
        // Spark keeps the order rows arrive in for small inputs; do not reshuffle them for nothing.
        .with_repartition_file_scans(false);
    // DataFusion 55's push_down_leaf_projections fails to plan a struct field taken beside
    // another column (`SELECT window.start, n FROM t`: "qualified field name ?table?.n and
    // unqualified field name n would be ambiguous"); apache/datafusion#25412 fixes it.
    config.options_mut().optimizer.enable_leaf_expression_pushdown = false;
    // Spark's rules: NULL is the smallest value (first in ASC, last in DESC), and `1.5` is a
    // decimal literal.
    config.options_mut().sql_parser.default_null_ordering = "nulls_min".to_string();
    config.options_mut().sql_parser.parse_float_as_decimal = true;
    // Spark's TIMESTAMP is an instant in the session's zone: unless set, the process's local
    // zone, as Spark takes the JVM's (UTC on Glue's machines).
    config.options_mut().execution.time_zone = Some(default_time_zone());
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(crate::runtime::memory::runtime_env().unwrap_or_default())
        .with_default_features();
    // glueless's kernels in place of DataFusion's operators, after DataFusion's own rules.
    for rule in crate::runtime::plans::rules() {
        state = state.with_physical_optimizer_rule(rule);
    }
    let mut state = state.build();
    super::functions::register(&mut state).expect("registering Spark's functions cannot clash fatally");
    state.add_analyzer_rule(Arc::new(super::zone_casts::TextInSessionZone));
    state
}

/// The zone Spark's session starts in: the JVM's default, i.e. `TZ`, else the system's
/// (`/etc/localtime`), else UTC.
pub(crate) fn default_time_zone() -> String {
    let valid = |zone: &str| zone.parse::<chrono_tz::Tz>().is_ok();
    if let Ok(zone) = std::env::var("TZ") {
        let zone = zone.trim_start_matches(':');
        if valid(zone) {
            return zone.to_string();
        }
    }
    std::fs::read_link("/etc/localtime")
        .ok()
        .and_then(|target| {
            let target = target.to_string_lossy().to_string();
            target.split_once("zoneinfo/").map(|(_, zone)| zone.to_string())
        })
        .filter(|zone| valid(zone))
        .unwrap_or_else(|| "UTC".to_string())
}
