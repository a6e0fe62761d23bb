//! A JSON source's decoded rows. A frame's schema, row count and quarantine are known when it is
//! made (Glue reports them then), so the source is decoded at once; its first rows stay in memory
//! and the rest are spilled to the temporary folder as each piece is decoded, then read back a
//! few pieces at a time when a query scans them. Memory so holds at most [`HELD_BYTES`] of a
//! source, whatever the size of its files (a 20 GB landing file decodes to about 15 GB of rows).
//!
//! Rows come in the files' order, as an in-memory table gave them.

use std::fmt;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::stats::Precision;
use datafusion::common::{ColumnStatistics, Statistics};
use datafusion::datasource::TableType;
use datafusion::error::Result as DfResult;
use datafusion::execution::{SpillFile, SpillWriter};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use rayon::prelude::*;

use super::scan_stream::{InOrderScanExec, InOrderSource};
use crate::core::pool;
use crate::error::{Error, Result};
use crate::runtime::memory::runtime_env;
use crate::runtime::sql::session::sql_error;

/// The decoded rows of one source held in memory; the rest is spilled. Reading spilled rows
/// back measured no slower than holding them (100× STEDI's accelerometer script: the same time,
/// peak 990 → 440 MiB; 64 MiB held gave 485), so little is held: small sources never touch the disk.
pub(crate) const HELD_BYTES: usize = 16 << 20;

/// What one piece of a source (a decode unit) became: its batches, in memory or spilled.
#[derive(Default)]
pub(crate) struct HeldPart {
    place: Place,
    totals: Totals,
}

#[derive(Default)]
enum Place {
    #[default]
    Nothing,
    Memory(Vec<RecordBatch>),
    /// The bytes of its batches in a spill file.
    Spilled {
        file: Arc<SpilledFile>,
        bytes: Range<u64>,
    },
}

/// Rows, and bytes and nulls per column: the statistics DataFusion keeps of an in-memory table,
/// so that it plans joins over a source the same whether its rows are held or spilled.
#[derive(Default, Clone)]
struct Totals {
    rows: usize,
    bytes: Vec<usize>,
    nulls: Vec<usize>,
}

impl Totals {
    fn of(batches: &[RecordBatch]) -> Self {
        let columns = batches.first().map_or(0, RecordBatch::num_columns);
        let mut totals = Totals { rows: 0, bytes: vec![0; columns], nulls: vec![0; columns] };
        for batch in batches {
            totals.rows += batch.num_rows();
            for (i, column) in batch.columns().iter().enumerate() {
                totals.bytes[i] += column.get_array_memory_size();
                totals.nulls[i] += column.logical_nulls().map_or(0, |nulls| nulls.null_count());
            }
        }
        totals
    }

    fn add(&mut self, other: &Totals) {
        self.rows += other.rows;
        for (kept, more) in [(&mut self.bytes, &other.bytes), (&mut self.nulls, &other.nulls)] {
            kept.resize(kept.len().max(more.len()), 0);
            kept.iter_mut().zip(more).for_each(|(a, b)| *a += b);
        }
    }
}

/// A spill file in DataFusion's temporary folder (deleted with the last piece that uses it): an
/// Arrow IPC stream whose schema message ends at `schema_end`.
pub(crate) struct SpilledFile {
    file: Arc<dyn SpillFile>,
    schema_end: u64,
}

/// A spill file being written, and the count of its bytes (where each piece starts and ends).
struct OpenSpill {
    file: Arc<SpilledFile>,
    schema: SchemaRef,
    writer: StreamWriter<Counted<BufWriter<Box<dyn SpillWriter>>>>,
}

/// A writer that counts what goes through it.
struct Counted<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Decides, piece by piece as a source is decoded (in parallel), what memory holds and what is
/// spilled: the first pieces up to the budget stay; each pool thread appends the rest to a spill
/// file of its own (a file per piece made thousands, and creating files cost more than writing
/// them).
pub(crate) struct RowHolder {
    held: AtomicUsize,
    budget: usize,
    spills: Vec<Mutex<Option<OpenSpill>>>,
}

impl Default for RowHolder {
    fn default() -> Self {
        Self::with_budget(HELD_BYTES)
    }
}

impl RowHolder {
    /// A holder that keeps `budget` bytes of rows in memory (tests spill with a small one).
    pub(crate) fn with_budget(budget: usize) -> Self {
        let spills = (0..pool::size().max(1)).map(|_| Mutex::new(None)).collect();
        Self { held: AtomicUsize::new(0), budget, spills }
    }

    /// Hold one piece's batches: in memory while the budget lasts, else in a spill file.
    ///
    /// # Errors
    /// The temporary folder cannot be written (full, or past DataFusion's limit of its size).
    pub(crate) fn hold(&self, batches: Vec<RecordBatch>) -> Result<HeldPart> {
        let totals = Totals::of(&batches);
        let Some(schema) = batches.first().map(RecordBatch::schema).filter(|_| totals.rows > 0) else {
            return Ok(HeldPart::default());
        };
        let bytes: usize = totals.bytes.iter().sum();
        let fits = self
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                (held + bytes <= self.budget).then_some(held + bytes)
            })
            .is_ok();
        if fits {
            return Ok(HeldPart { place: Place::Memory(batches), totals });
        }
        let slot = rayon::current_thread_index().unwrap_or(0) % self.spills.len();
        let mut open = self.spills[slot].lock().unwrap_or_else(PoisonError::into_inner);
        // A read whose sampled schema did not hold decodes again with another: a new file then.
        if open.as_ref().is_none_or(|spill| spill.schema != schema) {
            *open = Some(OpenSpill::create(&schema)?);
        }
        let Some(spill) = open.as_mut() else { return Ok(HeldPart::default()) };
        let start = spill.writer.get_mut().written;
        for batch in &batches {
            spill.writer.write(batch)?;
        }
        let place = Place::Spilled { file: Arc::clone(&spill.file), bytes: start..spill.writer.get_mut().written };
        Ok(HeldPart { place, totals })
    }

    /// Flush the spill files, so that the pieces can be read back.
    fn finish(&self) -> Result<()> {
        for slot in &self.spills {
            let mut open = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(mut spill) = open.take() {
                spill.writer.flush()?;
            }
        }
        Ok(())
    }
}

impl OpenSpill {
    fn create(schema: &SchemaRef) -> Result<Self> {
        let file = runtime_env()?.disk_manager.create_tmp_file("a source's decoded rows").map_err(sql_error)?;
        let inner =
            Counted { inner: BufWriter::with_capacity(1 << 20, file.open_writer().map_err(sql_error)?), written: 0 };
        let mut writer = StreamWriter::try_new(inner, schema)?;
        let schema_end = writer.get_mut().written;
        Ok(Self { file: Arc::new(SpilledFile { file, schema_end }), schema: Arc::clone(schema), writer })
    }
}

/// A source's rows as a table: its held and spilled pieces, scanned in order.
pub(crate) struct HeldRows {
    schema: SchemaRef,
    parts: Arc<Vec<HeldPart>>,
    totals: Totals,
}

impl fmt::Debug for HeldRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldRows").field("rows", &self.totals.rows).finish_non_exhaustive()
    }
}

impl HeldRows {
    /// The table of `parts`, as `holder` held them.
    ///
    /// # Errors
    /// The spill files cannot be written.
    pub(crate) fn new(schema: SchemaRef, parts: Vec<HeldPart>, holder: &RowHolder) -> Result<Self> {
        holder.finish()?;
        let mut totals = Totals::default();
        for part in &parts {
            totals.add(&part.totals);
        }
        Ok(Self { schema, parts: Arc::new(parts), totals })
    }

    /// The pieces that are spilled (tests check that a small budget spills).
    #[cfg(test)]
    pub(crate) fn spilled(&self) -> usize {
        self.parts.iter().filter(|p| matches!(p.place, Place::Spilled { .. })).count()
    }
}

#[async_trait]
impl TableProvider for HeldRows {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let columns = projection.cloned().unwrap_or_else(|| (0..self.schema.fields().len()).collect());
        let schema = Arc::new(self.schema.project(&columns)?);
        let statistics = self.statistics(&columns, &schema);
        let names = schema.fields().iter().map(|f| f.name().clone()).collect();
        let scan = HeldScan { parts: Arc::clone(&self.parts), columns, names, statistics };
        Ok(Arc::new(InOrderScanExec::new(scan, schema)))
    }
}

impl HeldRows {
    /// DataFusion's statistics of an in-memory table with these rows (rows, sizes, null counts).
    fn statistics(&self, columns: &[usize], schema: &SchemaRef) -> Statistics {
        let mut statistics = Statistics::new_unknown(schema);
        statistics.num_rows = Precision::Exact(self.totals.rows);
        let bytes = columns.iter().map(|&i| self.totals.bytes.get(i).copied().unwrap_or(0)).sum();
        statistics.total_byte_size = Precision::Exact(bytes);
        statistics.column_statistics = columns
            .iter()
            .map(|&i| {
                let mut column = ColumnStatistics::new_unknown();
                column.null_count = Precision::Exact(self.totals.nulls.get(i).copied().unwrap_or(0));
                column
            })
            .collect();
        statistics
    }
}

/// The scan of [`HeldRows`]: held batches handed on as they are, spilled pieces read back in
/// parallel a window at a time and handed on in order.
struct HeldScan {
    parts: Arc<Vec<HeldPart>>,
    columns: Vec<usize>,
    names: Vec<String>,
    statistics: Statistics,
}

impl InOrderSource for HeldScan {
    const NAME: &'static str = "HeldRowsExec";

    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spilled = self.parts.iter().filter(|p| matches!(p.place, Place::Spilled { .. })).count();
        write!(f, "parts={}, spilled={spilled}, columns=[{}]", self.parts.len(), self.names.join(", "))
    }

    fn statistics(&self, _schema: &SchemaRef) -> Statistics {
        self.statistics.clone()
    }

    fn produce(&self, send: &mut dyn FnMut(RecordBatch) -> bool) -> Result<()> {
        scan_in_order(&self.parts, &self.columns, send)
    }
}

/// Hand the pieces' batches (their `columns`) to `send` in order until it returns false: the
/// spilled ones of a window of as many pieces as the pool has threads read in parallel.
fn scan_in_order(parts: &[HeldPart], columns: &[usize], send: &mut dyn FnMut(RecordBatch) -> bool) -> Result<()> {
    for window in parts.chunks(pool::size().max(1)) {
        let read: Vec<Vec<RecordBatch>> = pool::install(|| {
            window
                .par_iter()
                .map(|part| match &part.place {
                    Place::Nothing => Ok(Vec::new()),
                    Place::Memory(batches) => Ok(batches.clone()),
                    Place::Spilled { file, bytes } => read_spilled(file, bytes),
                })
                .collect::<Result<_>>()
        })?;
        for batch in read.into_iter().flatten() {
            if !send(batch.project(columns)?) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The batches of one piece of a spill file (its schema message, then the piece's bytes),
/// decoded from one read (their columns share its bytes).
fn read_spilled(spilled: &SpilledFile, bytes: &Range<u64>) -> Result<Vec<RecordBatch>> {
    let path = spilled.file.path().ok_or_else(|| Error::Unsupported("a spill file that is not a local file".into()))?;
    let io = |e| Error::io("reading", path, e);
    let file = std::fs::File::open(path).map_err(io)?;
    let (schema_end, length) = (to_usize(spilled.schema_end)?, to_usize(bytes.end - bytes.start)?);
    let mut content = vec![0; schema_end + length];
    file.read_exact_at(&mut content[..schema_end], 0).map_err(io)?;
    file.read_exact_at(&mut content[schema_end..], bytes.start).map_err(io)?;
    let mut content = Buffer::from_vec(content);
    let mut decoder = StreamDecoder::new();
    let mut batches = Vec::new();
    while !content.is_empty() {
        if let Some(batch) = decoder.decode(&mut content)? {
            batches.push(batch);
        }
    }
    Ok(batches)
}

fn to_usize(bytes: u64) -> Result<usize> {
    usize::try_from(bytes).map_err(|_| Error::Unsupported(format!("a spilled piece of {bytes} bytes")))
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use datafusion::datasource::MemTable;
    use datafusion::physical_plan::statistics::{StatisticsArgs, StatisticsContext};
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::core::json::{self, LandingOptions};
    use crate::core::storage::{objects, Location};
    use crate::runtime::sql::session::run;

    /// Files of JSON lines with NULLs, a record that is not JSON and (in the last file) a key and
    /// a value the first records do not show, so the sampled schema is decoded again.
    fn landing(dir: &std::path::Path, widen: bool) -> Vec<objects::FileEntry> {
        for file in 0..6 {
            let mut text = String::new();
            for row in 0..300 {
                let n = file * 300 + row;
                let z = if n % 7 == 0 { "null".to_string() } else { format!("{}.5", n % 11) };
                writeln!(text, "{{\"user\":\"u{}\",\"n\":{n},\"z\":{z}}}", n % 13).unwrap();
            }
            text.push_str("{broken\n");
            if widen && file == 5 {
                text.push_str("{\"user\":\"w\",\"n\":\"many\",\"extra\":true}\n");
            }
            std::fs::write(dir.join(format!("{file}.json")), text).unwrap();
        }
        objects::list_files(&Location::Local(dir.to_path_buf())).unwrap()
    }

    /// The rows of `query` over `table` as `t`, in the order the query gives them, and its plan.
    fn rows(table: Arc<dyn TableProvider>, query: &str) -> (Vec<RecordBatch>, String) {
        run(async {
            let ctx = SessionContext::new();
            ctx.register_table("t", table).unwrap();
            let df = ctx.sql(query).await.unwrap();
            let plan = df.clone().create_physical_plan().await.unwrap();
            let shown = datafusion::physical_plan::displayable(plan.as_ref()).indent(true).to_string();
            (df.collect().await.unwrap(), shown)
        })
    }

    /// A source spilled piece by piece gives the rows, order, schema and statistics of the same
    /// source held in memory (as `MemTable`, which the source was before), whether the sampled
    /// schema held or the files were decoded again with every record's.
    #[test]
    fn spilled_rows_are_the_rows_held_in_memory() {
        for widen in [false, true] {
            let dir = crate::testing::tempdir();
            let files = landing(dir.path(), widen);
            let options = LandingOptions { chunk_bytes: 2048, ..LandingOptions::default() };
            let reference = json::read_files(&files, None, &options).unwrap();
            let memory: Arc<dyn TableProvider> =
                Arc::new(MemTable::try_new(Arc::clone(&reference.schema), vec![reference.batches.clone()]).unwrap());
            for budget in [0, 20_000, usize::MAX] {
                let holder = RowHolder::with_budget(budget);
                let read = crate::core::pool::install(|| {
                    json::read_files_held(&files, None, &options, &|batches| holder.hold(batches))
                })
                .unwrap();
                assert_eq!(read.schema, reference.schema);
                assert_eq!((read.stats.records, read.stats.quarantined), (1800 + 6 + u64::from(widen), 6));
                let held = HeldRows::new(Arc::clone(&read.schema), read.batches, &holder).unwrap();
                assert_eq!(held.spilled() > 0, budget < usize::MAX, "budget {budget}");
                let held: Arc<dyn TableProvider> = Arc::new(held);
                for query in
                    ["SELECT * FROM t", "SELECT z, user FROM t", "SELECT count(*) FROM t", "SELECT * FROM t LIMIT 5"]
                {
                    let (got, plan) = rows(Arc::clone(&held), query);
                    let (want, _) = rows(Arc::clone(&memory), query);
                    let concat = |b: &[RecordBatch]| arrow_select::concat::concat_batches(&b[0].schema(), b).unwrap();
                    assert_eq!(concat(&got), concat(&want), "{query} with budget {budget}\n{plan}");
                }
                let statistics = |table: &Arc<dyn TableProvider>| {
                    let ctx = SessionContext::new();
                    let scan = run(table.scan(&ctx.state(), Some(&vec![2, 0]), &[], None)).unwrap();
                    StatisticsContext::new().compute(scan.as_ref(), &StatisticsArgs::new()).unwrap()
                };
                assert_eq!(statistics(&held), statistics(&memory), "budget {budget}");
            }
        }
    }
}
