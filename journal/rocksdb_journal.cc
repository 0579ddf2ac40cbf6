// RocksDB implementation of at::journal::Journal. Key and value grammar: codec.h.
//
// Writer: one rocksdb::DB opened read-write; append() builds one WriteBatch (events + index
// entries) and writes it with sync per the durability mode. Read-only: a RocksDB secondary
// instance (scratch directory under the system temp dir, removed on close) that catches up
// with the writer's WAL and MANIFEST on refresh().
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "journal/codec.h"
#include "journal/journal.h"

namespace at::journal {

std::string_view to_string(Durability d) {
  switch (d) {
    case Durability::kSync:
      return "sync";
    case Durability::kBatch:
      return "batch";
    case Durability::kNone:
      return "none";
  }
  return "sync";
}

bool parse(std::string_view s, Durability& out) {
  if (s == "sync") {
    out = Durability::kSync;
  } else if (s == "batch") {
    out = Durability::kBatch;
  } else if (s == "none") {
    out = Durability::kNone;
  } else {
    return false;
  }
  return true;
}

namespace {

namespace fs = std::filesystem;

// Column family names, in handle order (index 0 is RocksDB's mandatory default family).
// How many snapshots put_snapshot() keeps (the newest).
constexpr std::size_t kKeepSnapshots = 4;
// put_snapshot()'s table file before it is ingested: "<prefix><sequence><suffix>".
constexpr const char* kSnapshotFilePrefix = "at-snapshot-";
constexpr const char* kSnapshotFileSuffix = ".sst.ingest";

enum Cf : int { kDefault, kEvents, kDlq, kByOrder, kByVenueId, kByTime, kSnapshots, kMeta, kCfs };
constexpr const char* kCfNames[kCfs] = {"default",     "events",  "dlq",       "by_order",
                                        "by_venue_id", "by_time", "snapshots", "meta"};

std::string rs(const rocksdb::Status& s) { return s.ToString(); }

rocksdb::Slice sl(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }
std::string_view sv(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// Options tuned for an append-only log of small records on a 2-core machine (see
// docs/PERFORMANCE.md): large memtables so flushes are rare, no compression on the hot path
// (LZ4 only for the bottommost level), a bounded total WAL so index families get flushed.
rocksdb::Options db_options() {
  rocksdb::Options o;
  o.create_if_missing = false;  // the directory is created by open() itself, see there
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  o.max_open_files = -1;  // required by secondary instances; the journal's file count is small
  o.max_total_wal_size = 256ull << 20;
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.bytes_per_sync = 1ull << 20;
  o.keep_log_file_num = 4;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  o.avoid_unnecessary_blocking_io = true;
  // One writer (the journal's own mutex serialises appends): no concurrent memtable inserts,
  // which also lets the insert hints below work, and no spinning while waiting to write.
  o.allow_concurrent_memtable_write = false;
  o.enable_write_thread_adaptive_yield = false;
  // Recovery (open after a crash): the WAL is replayed into memtables and left there instead of
  // being flushed to L0 files during open. The flush would write up to max_total_wal_size of
  // tables while the service waits to start, and the new L0 files would then start compactions
  // that compete with replay for the two cores. The WAL files stay until the memtables are
  // flushed in the background, so nothing becomes less durable.
  o.avoid_flush_during_recovery = true;
  // Reads (replay scans, the snapshot at recovery) come straight from the mapped table files
  // instead of being copied into a heap buffer per block: the scan saves the kernel copy, and
  // recovery does not allocate (and fault in) a buffer the size of the snapshot. Checksums are
  // still verified.
  o.allow_mmap_reads = true;
  return o;
}

// by_order's insert-hint prefix: the client order id and its 0x00 separator (codec.h). An
// order's entries arrive in sequence order, but orders interleave, so a single hint per family
// misses for most by_order inserts and each one searches the whole skiplist; with one hint per
// order id, an order's next entry lands right after its last one. Used only to insert into the
// memtable: nothing on disk depends on it.
class ClientOrderIdPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "at.ClientOrderIdPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const auto* zero = static_cast<const char*>(std::memchr(key.data(), '\0', key.size()));
    return rocksdb::Slice(key.data(), static_cast<std::size_t>(zero - key.data()) + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

rocksdb::ColumnFamilyOptions cf_options(int cf) {
  rocksdb::ColumnFamilyOptions o;
  // Keys arrive (nearly) in order: sequences, times, "at<n>" ids. One insert hint per family
  // (prefix = the first byte) turns each memtable insert into a short step from the last.
  o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));
  o.compression = rocksdb::kNoCompression;
  // Snapshots are few, large, and read when time matters most (recovery): never compressed.
  o.bottommost_compression =
      cf == kSnapshots ? rocksdb::kDisableCompressionOption : rocksdb::kLZ4Compression;
  if (cf == kEvents) {
    o.write_buffer_size = 64ull << 20;
    o.max_write_buffer_number = 4;
    o.target_file_size_base = 64ull << 20;
  } else if (cf == kByOrder || cf == kByTime || cf == kByVenueId) {
    o.write_buffer_size = 32ull << 20;
    o.max_write_buffer_number = 4;
  } else {
    o.write_buffer_size = 4ull << 20;
  }
  if (cf == kByOrder) {
    // by_order inserts land all over the key space (one per event, orders interleave) and were
    // half of the writer's CPU: a hint per order id, and a memtable small enough to stay in
    // cache, cut the writer's CPU per event by ~16% (docs/PERFORMANCE.md, "Journal"). Costs:
    // one skiplist splice (~200 B of arena) per order id per memtable, and by_order flushes
    // 4x as often (8 MiB holds ~130k entries).
    o.memtable_insert_with_hint_prefix_extractor = std::make_shared<ClientOrderIdPrefix>();
    o.write_buffer_size = 8ull << 20;
  }
  rocksdb::BlockBasedTableOptions t;
  t.block_size = cf == kEvents ? 32 * 1024 : 16 * 1024;  // events are read mostly in scans
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

Error io_error(std::string msg) { return make_error(ErrorKind::kIo, std::move(msg)); }

// Turns a RocksDB open failure into a message that says what is wrong with `path`.
Error open_error(const std::string& path, const rocksdb::Status& s) {
  std::string m = s.ToString();
  if (s.IsIOError() && (m.find("lock") != std::string::npos || m.find("LOCK") != std::string::npos))
    return io_error("journal '" + path +
                    "' is locked by another process (or another open in this process): " + m);
  if (s.IsCorruption())
    return make_error(ErrorKind::kCorruption, "journal '" + path + "' is damaged: " + m);
  if (m.find("ermission") != std::string::npos)
    return io_error("journal '" + path + "': permission denied: " + m);
  return io_error("cannot open journal '" + path + "': " + m);
}

// Checks the directory before RocksDB sees it, so the common mistakes get plain messages.
Status check_dir(const std::string& path, bool create, bool need_write) {
  if (path.empty()) return io_error("journal path is empty");
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return io_error("cannot access journal directory '" + path + "': " + ec.message());
  if (!fs::exists(st)) {
    if (!create)
      return io_error("journal directory '" + path + "' does not exist" +
                      (need_write ? " (and create_if_missing is off)" : ""));
    fs::create_directories(path, ec);
    if (ec) return io_error("cannot create journal directory '" + path + "': " + ec.message());
    return {};
  }
  if (!fs::is_directory(st)) return io_error("journal path '" + path + "' is not a directory");
  if (::access(path.c_str(), R_OK | X_OK | (need_write ? W_OK : 0)) != 0)
    return io_error("journal directory '" + path + "': permission denied (" + std::strerror(errno) +
                    ")");
  if (!fs::exists(fs::path(path) / "CURRENT", ec) && !create)
    return io_error("journal directory '" + path + "' holds no journal (no CURRENT file)");
  return {};
}

bool is_dead_letter_close(const Event& e, const ClientOrderId** id) {
  if (auto* r = std::get_if<DeadLetterRetried>(&e)) {
    *id = &r->client_order_id;
    return true;
  }
  if (auto* d = std::get_if<DeadLetterDropped>(&e)) {
    *id = &d->client_order_id;
    return true;
  }
  return false;
}

class RocksJournal final : public Journal {
 public:
  RocksJournal(const Options& options, const Clock& clock, bool read_only)
      : opts_(options), clock_(clock), read_only_(read_only) {}

  ~RocksJournal() override {
    for (auto* h : handles_)
      if (h && db_) db_->DestroyColumnFamilyHandle(h);
    for (auto* h : extra_)
      if (h && db_) db_->DestroyColumnFamilyHandle(h);
    handles_.clear();
    if (db_) db_->Close().PermitUncheckedError();
    db_.reset();
    if (!secondary_dir_.empty()) {
      std::error_code ec;
      fs::remove_all(secondary_dir_, ec);
    }
  }

  Status open() {
    auto st = check_dir(opts_.path, !read_only_ && opts_.create_if_missing, !read_only_);
    if (!st) return st;
    rocksdb::DBOptions dbo(db_options());
    std::vector<std::string> existing;
    bool fresh = !rocksdb::DB::ListColumnFamilies(dbo, opts_.path, &existing).ok();
    if (fresh && read_only_)
      return io_error("journal directory '" + opts_.path + "' holds no journal");
    // Open every family present (a newer writer may have added some), plus ours.
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (int i = 0; i < kCfs; ++i) descs.emplace_back(kCfNames[i], cf_options(i));
    for (const auto& name : existing)
      if (std::find(std::begin(kCfNames), std::end(kCfNames), name) == std::end(kCfNames))
        descs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::Options o(dbo, rocksdb::ColumnFamilyOptions());
    o.create_if_missing = fresh;
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::Status s;
    if (read_only_) {
      // Only the families that exist can be opened by a secondary.
      std::vector<rocksdb::ColumnFamilyDescriptor> have;
      for (auto& d : descs)
        if (std::find(existing.begin(), existing.end(), d.name) != existing.end())
          have.push_back(d);
      auto tmpl = (fs::temp_directory_path() / "autotrader-journal-secondary-XXXXXX").string();
      std::vector<char> buf(tmpl.begin(), tmpl.end());
      buf.push_back('\0');
      if (!::mkdtemp(buf.data()))
        return io_error("cannot create a scratch directory for the read-only journal '" +
                        opts_.path + "': " + std::strerror(errno));
      secondary_dir_ = buf.data();
      o.max_open_files = -1;
      s = rocksdb::DB::OpenAsSecondary(o, opts_.path, secondary_dir_, have, &handles, &raw);
      if (s.ok()) {
        handles_.assign(kCfs, nullptr);
        for (auto* h : handles) {
          auto it = std::find(std::begin(kCfNames), std::end(kCfNames), h->GetName());
          if (it != std::end(kCfNames)) {
            handles_[it - std::begin(kCfNames)] = h;
          } else {
            extra_.push_back(h);
          }
        }
        db_.reset(raw);
        for (int i = 1; i < kCfs; ++i)
          if (!handles_[i])
            return make_error(
                ErrorKind::kCorruption,
                "journal '" + opts_.path + "' lacks the column family " + kCfNames[i]);
      }
    } else {
      // Recovery first: an existing journal opens with automatic compactions off, and they
      // come back on with its first write (resume_compactions). A backlog left by a crash
      // would otherwise compact while recovery replays and take one of the two cores from it
      // (16% of the samples of BM_Recovery). Flushes are not affected.
      compactions_paused_ = !fresh;
      if (compactions_paused_)
        for (auto& d : descs) d.options.disable_auto_compactions = true;
      s = rocksdb::DB::Open(o, opts_.path, descs, &handles, &raw);
      if (s.ok()) {
        db_.reset(raw);
        handles_.assign(handles.begin(), handles.begin() + kCfs);
        extra_.assign(handles.begin() + kCfs, handles.end());
      }
    }
    if (!s.ok()) return open_error(opts_.path, s);
    if (fresh) {
      rocksdb::WriteBatch b;
      b.Put(handles_[kMeta], "schema_version", std::to_string(kSchemaVersion));
      b.Put(handles_[kMeta], "first_sequence", "1");
      rocksdb::WriteOptions wo;
      wo.sync = true;
      auto ws = db_->Write(wo, &b);
      if (!ws.ok()) return io_error("cannot initialise journal '" + opts_.path + "': " + rs(ws));
    }
    auto sv_st = load_schema_version();
    if (!sv_st) return sv_st;
    if (!read_only_) remove_stale_snapshot_files();
    return load_tail();
  }

  // --- writing -----------------------------------------------------------------------------

  Result<std::uint64_t> append(std::span<const PendingEvent> events) override {
    bool sync = opts_.durability == Durability::kSync;
    if (opts_.durability == Durability::kBatch) {
      std::int64_t now = clock_.monotonic_ns();
      if (now - last_batch_sync_mono_ >= opts_.batch_sync_interval_ms * 1'000'000) {
        sync = true;
        last_batch_sync_mono_ = now;
      }
    }
    return write(events, sync);
  }

  Result<std::uint64_t> append_unsynced(std::span<const PendingEvent> events) override {
    return write(events, false);
  }

  Status sync() override {
    if (read_only_) return Status{};
    std::lock_guard lock(sync_mu_);
    if (failed_.load()) return refused();
    auto s = db_->SyncWAL();
    if (!s.ok()) return fail("journal sync failed in '" + opts_.path + "': " + rs(s));
    return {};
  }

  Status flush() override {
    if (read_only_) return {};
    rocksdb::FlushOptions fo;
    fo.wait = true;
    std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin() + 1, handles_.end());
    auto s = db_->Flush(fo, all);
    if (!s.ok()) return io_error("journal flush failed in '" + opts_.path + "': " + rs(s));
    return {};
  }

  bool failed() const override { return failed_.load(); }
  Durability durability() const override {
    return read_only_ ? Durability::kNone : opts_.durability;
  }

  std::uint64_t last_sequence() const override { return last_seq_.load(); }

  Status refresh() override {
    if (!read_only_) return {};
    std::lock_guard lock(write_mu_);
    auto s = db_->TryCatchUpWithPrimary();
    if (!s.ok()) return io_error("journal '" + opts_.path + "': catching up failed: " + rs(s));
    return load_tail();
  }

  // --- reading -----------------------------------------------------------------------------

  Status read(std::uint64_t from, std::uint64_t to,
              const std::function<bool(const Envelope&)>& visit) const override {
    Envelope env;
    return scan(from, to, [&](std::uint64_t seq, std::string_view bytes, Status& error) {
      auto st = decode_into(bytes, env);
      if (!st) {
        error = make_error(ErrorKind::kCorruption,
                           "events: sequence " + std::to_string(seq) + ": " + st.error().message);
        return false;
      }
      return visit(env);
    });
  }

  Status read_raw(std::uint64_t from, std::uint64_t to,
                  const std::function<bool(std::string_view record)>& visit) const override {
    return scan(from, to,
                [&](std::uint64_t, std::string_view bytes, Status&) { return visit(bytes); });
  }

  // Iterates the events family over [from, to]; `visit` may set an error and stop.
  template <typename Visit>
  Status scan(std::uint64_t from, std::uint64_t to, Visit&& visit) const {
    if (from > to) return {};
    std::string lo = sequence_key(from);
    std::string hi;
    if (to != UINT64_MAX) hi = sequence_key(to + 1);
    rocksdb::Slice upper(hi);
    rocksdb::ReadOptions ro;
    ro.readahead_size = 2 << 20;
    ro.verify_checksums = true;
    ro.fill_cache = false;  // a scan: do not evict the blocks point lookups use
    if (!hi.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kEvents]));
    Status error;
    // The value holding `from` may start before it (a batch): the last key <= from, else the
    // first key after it.
    it->SeekForPrev(lo);
    if (!it->Valid() && it->status().ok()) it->Seek(lo);
    std::vector<std::uint64_t> aligned;  // an unaligned batch, copied once for all its events
    for (; it->Valid(); it->Next()) {
      auto key = sv(it->key());
      if (key.size() != 8)
        return make_error(ErrorKind::kCorruption,
                          "events: malformed key of " + std::to_string(key.size()) + " bytes");
      const std::uint64_t first = get_u64be(key);
      std::string_view value = sv(it->value());
      if (reinterpret_cast<std::uintptr_t>(value.data()) % 8 != 0 && is_batch_value(value)) {
        aligned.resize((value.size() + 7) / 8);
        std::memcpy(aligned.data(), value.data(), value.size());
        value = std::string_view(reinterpret_cast<const char*>(aligned.data()), value.size());
      }
      auto v = EventsValue::parse(value);
      if (!v)
        return make_error(ErrorKind::kCorruption,
                          "events: sequence " + std::to_string(first) + ": " + v.error().message);
      for (std::uint64_t i = from > first ? from - first : 0; i < v->size(); ++i) {
        if (first + i > to) return {};
        if (!visit(first + i, v->record(static_cast<std::uint32_t>(i)), error)) return error;
      }
    }
    if (!it->status().ok()) return io_error("journal read failed: " + rs(it->status()));
    return {};
  }

  // Decodes the event `sequence` into `out` through `it` (repositioned). False when absent.
  Result<bool> find(rocksdb::Iterator& it, std::uint64_t sequence, Envelope& out) const {
    it.SeekForPrev(sequence_key(sequence));
    if (!it.status().ok())
      return io_error("journal get " + std::to_string(sequence) + ": " + rs(it.status()));
    if (!it.Valid()) return false;
    auto key = sv(it.key());
    if (key.size() != 8)
      return make_error(ErrorKind::kCorruption,
                        "events: malformed key of " + std::to_string(key.size()) + " bytes");
    const std::uint64_t first = get_u64be(key);
    auto v = EventsValue::parse(sv(it.value()));
    if (!v)
      return make_error(ErrorKind::kCorruption,
                        "events: sequence " + std::to_string(first) + ": " + v.error().message);
    if (sequence - first >= v->size()) return false;
    auto st = decode_into(v->record(static_cast<std::uint32_t>(sequence - first)), out);
    if (!st)
      return make_error(ErrorKind::kCorruption,
                        "events: sequence " + std::to_string(sequence) + ": " + st.error().message);
    return true;
  }

  Result<std::optional<Envelope>> get(std::uint64_t sequence) const override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kEvents]));
    Envelope env;
    auto found = find(*it, sequence, env);
    if (!found) return found.error();
    if (!*found) return std::optional<Envelope>();
    return std::optional<Envelope>(std::move(env));
  }

  Result<std::vector<std::uint64_t>> sequences_for_order(const ClientOrderId& id) const override {
    std::vector<std::uint64_t> out;
    std::string prefix = id.str();
    prefix.push_back('\0');
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kByOrder]));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      auto k = sv(it->key());
      if (k.size() != prefix.size() + 8 || k.substr(0, prefix.size()) != prefix) break;
      // Entries are keyed by first sequence and each covers one events value: in order.
      if (auto st = by_order_sequences(k, sv(it->value()), out); !st) return st.error();
    }
    if (!it->status().ok()) return io_error("by_order lookup failed: " + rs(it->status()));
    return out;
  }

  Result<std::optional<ClientOrderId>> order_for_venue_id(const VenueOrderId& id) const override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), handles_[kByVenueId], id.str(), &v);
    if (s.IsNotFound()) return std::optional<ClientOrderId>();
    if (!s.ok()) return io_error("by_venue_id lookup failed: " + rs(s));
    return std::optional<ClientOrderId>(ClientOrderId(std::move(v)));
  }

  Result<std::uint64_t> first_sequence_at_or_after(std::int64_t recorded_ns) const override {
    std::uint64_t last = last_seq_.load();
    if (recorded_ns < 0) recorded_ns = 0;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kByTime]));
    it->Seek(by_time_key(recorded_ns, 0));
    if (!it->status().ok()) return io_error("by_time lookup failed: " + rs(it->status()));
    if (!it->Valid()) return last + 1;
    auto k = sv(it->key());
    if (k.size() != 16) return make_error(ErrorKind::kCorruption, "by_time: malformed key");
    return std::min(get_u64be(k.substr(8)), last + 1);
  }

  Result<std::vector<std::uint64_t>> open_dead_letters() const override {
    std::vector<std::uint64_t> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kDlq]));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      if (it->key().size() == 8) out.push_back(get_u64be(sv(it->key())));
    if (!it->status().ok()) return io_error("dlq read failed: " + rs(it->status()));
    return out;
  }

  Status put_snapshot(std::uint64_t sequence, std::string_view bytes) override {
    if (read_only_) return make_error(ErrorKind::kInvalidArgument, "journal is read-only");
    if (failed_.load()) return refused();
    if (sequence > last_seq_.load())
      return make_error(ErrorKind::kInvalidArgument,
                        "snapshot at sequence " + std::to_string(sequence) +
                            " is beyond the last sequence " + std::to_string(last_seq_.load()));
    // Only the newest kKeepSnapshots are kept (a snapshot is the whole state: keeping every
    // one would grow the journal by the state's size each time). The new one and the removal
    // of those it pushes out are one batch; a snapshot older than all kept ones is not written.
    std::vector<std::uint64_t> existing;
    rocksdb::Status st;
    {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kSnapshots]));
      for (it->SeekToLast(); it->Valid(); it->Prev())
        if (it->key().size() == 8) existing.push_back(get_u64be(sv(it->key())));
      st = it->status();
    }
    std::vector<std::uint64_t> all = existing;
    if (std::find(all.begin(), all.end(), sequence) == all.end()) all.push_back(sequence);
    std::sort(all.begin(), all.end(), std::greater<>());
    if (all.size() > kKeepSnapshots) all.resize(kKeepSnapshots);
    auto kept = [&](std::uint64_t s) { return std::find(all.begin(), all.end(), s) != all.end(); };
    if (!st.ok()) return io_error("snapshot write failed: " + rs(st));
    {
      std::lock_guard lock(write_mu_);
      resume_compactions();
    }
    if (kept(sequence))
      if (auto in = ingest_snapshot(sequence, bytes); !in) return in;
    // The ones it pushes out go after it is in: a crash in between leaves one snapshot too
    // many, which the next put_snapshot() removes.
    rocksdb::WriteBatch batch;
    for (std::uint64_t s : existing)
      if (st.ok() && !kept(s)) st = batch.Delete(handles_[kSnapshots], sequence_key(s));
    if (!st.ok()) return io_error("snapshot write failed: " + rs(st));
    if (batch.Count() == 0) return {};
    rocksdb::WriteOptions wo;
    wo.sync = opts_.durability != Durability::kNone;
    auto s = db_->Write(wo, &batch);
    if (!s.ok()) return io_error("snapshot write failed: " + rs(s));
    return {};
  }

  Result<std::optional<std::pair<std::uint64_t, std::string>>> latest_snapshot(
      std::uint64_t at_or_before) const override {
    using Out = std::optional<std::pair<std::uint64_t, std::string>>;
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;  // a snapshot is read once, at start: keep it out of the cache
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kSnapshots]));
    for (it->SeekForPrev(sequence_key(at_or_before)); it->Valid(); it->Prev()) {
      if (it->key().size() != 8) continue;
      return Out(std::make_pair(get_u64be(sv(it->key())), it->value().ToString()));
    }
    if (!it->status().ok()) return io_error("snapshot read failed: " + rs(it->status()));
    return Out();
  }

  Status visit_snapshots(std::uint64_t at_or_before,
                         const std::function<bool(std::uint64_t sequence, std::string_view bytes)>&
                             visit) const override {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;  // read once, at start: keep it out of the cache
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kSnapshots]));
    for (it->SeekForPrev(sequence_key(at_or_before)); it->Valid(); it->Prev()) {
      if (it->key().size() != 8) continue;
      if (!visit(get_u64be(sv(it->key())), sv(it->value()))) return {};
    }
    if (!it->status().ok()) return io_error("snapshot read failed: " + rs(it->status()));
    return {};
  }

  Result<Stats> stats() const override;
  Result<VerifyReport> verify() const override;

 private:
  Error refused() const {
    std::lock_guard lock(fail_mu_);
    return io_error(
        "journal refuses appends after an earlier write failure (durability "
        "unknown): " +
        failure_);
  }
  Error fail(std::string msg) {
    {
      std::lock_guard lock(fail_mu_);
      if (failure_.empty()) failure_ = msg;
    }
    failed_.store(true);
    return io_error(std::move(msg));
  }

  // Reads meta's schema_version; a journal of a newer schema is refused (it may hold values
  // this build would misread). Missing: a journal older than the key, read as version 1.
  Status load_schema_version() {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), handles_[kMeta], "schema_version", &v);
    if (s.IsNotFound()) {
      schema_on_disk_ = 1;
      return {};
    }
    if (!s.ok()) return io_error("journal '" + opts_.path + "': reading meta failed: " + rs(s));
    char* end = nullptr;
    unsigned long n = std::strtoul(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n == 0)
      return make_error(ErrorKind::kCorruption,
                        "journal '" + opts_.path + "': schema_version '" + v + "' is not a number");
    if (n > kSchemaVersion)
      return make_error(ErrorKind::kCorruption, "journal '" + opts_.path + "' has schema version " +
                                                    v + "; this build reads versions 1 to " +
                                                    std::to_string(kSchemaVersion) +
                                                    " (written by a newer version of autotrader?)");
    schema_on_disk_ = static_cast<std::uint32_t>(n);
    return {};
  }

  // Reads last sequence and recorded time (and, for the writer, the open dead letters).
  Status load_tail() {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kEvents]));
    it->SeekToLast();
    if (!it->status().ok()) return io_error("journal '" + opts_.path + "': " + rs(it->status()));
    if (it->Valid()) {
      if (it->key().size() != 8)
        return make_error(ErrorKind::kCorruption,
                          "journal '" + opts_.path + "': malformed key at the end of events");
      const std::uint64_t first = get_u64be(sv(it->key()));
      auto v = EventsValue::parse(sv(it->value()));
      if (!v)
        return make_error(ErrorKind::kCorruption,
                          "journal '" + opts_.path + "': last record (sequence " +
                              std::to_string(first) + ") " + v.error().message);
      last_seq_.store(first + v->size() - 1);
      auto h = decode_header(v->record(v->size() - 1));
      if (!h)
        return make_error(ErrorKind::kCorruption,
                          "journal '" + opts_.path + "': last record (sequence " +
                              std::to_string(last_seq_.load()) + ") " + h.error().message);
      last_recorded_ns_ = h->recorded_ns;
    } else {
      last_seq_.store(0);
    }
    if (read_only_) return {};
    open_dlq_.clear();
    std::unique_ptr<rocksdb::Iterator> d(db_->NewIterator(rocksdb::ReadOptions(), handles_[kDlq]));
    for (d->SeekToFirst(); d->Valid(); d->Next()) {
      if (d->key().size() != 8) continue;
      std::uint64_t seq = get_u64be(sv(d->key()));
      auto e = get(seq);
      if (!e) return e.error();
      if (*e)
        if (auto* dl = std::get_if<DeadLettered>(&(*e)->event))
          open_dlq_[dl->client_order_id.str()].push_back(seq);
    }
    return {};
  }

  // True when by_venue_id already maps `v` to `c` (written by an earlier append of this
  // writer): every fill repeats its order's venue id, and rewriting the same entry costs a
  // memtable insert per fill. Bounded; forgetting only costs a redundant write.
  bool venue_link_known(const VenueOrderId& v, const ClientOrderId& c) {
    auto it = venue_links_.find(v.str());
    if (it != venue_links_.end() && it->second == c.str()) return true;
    if (venue_links_.size() >= 65536) venue_links_.clear();
    venue_links_[v.str()] = c.str();
    return false;
  }

  // Where put_snapshot() builds a snapshot's table file before ingesting it (in the journal's
  // directory: ingestion moves it by a hard link).
  std::string snapshot_file(std::uint64_t sequence) const {
    return opts_.path + "/" + kSnapshotFilePrefix + std::to_string(sequence) + kSnapshotFileSuffix;
  }

  // A snapshot is a table file of its own, ingested into the snapshots family. It never goes
  // through the WAL and the memtables: a snapshot is the whole state (tens of MB), and as one
  // write it held up every append queued behind it in RocksDB's write queue for the time of
  // the WAL write, the memtable copy and the fsync, and was copied three times on the way
  // (batch, memtable, flush).
  Status ingest_snapshot(std::uint64_t sequence, std::string_view bytes) {
    // The events a snapshot covers are durable before it is: after a crash, a snapshot never
    // describes events the journal has lost. (Written through the WAL this followed from
    // the WAL's order; a table file is durable on its own.) With `sync` they already are.
    if (opts_.durability != Durability::kSync)
      if (auto st = sync(); !st) return st;
    const std::string file = snapshot_file(sequence);
    auto fail_with = [&](const std::string& what, const rocksdb::Status& s) {
      std::error_code ec;
      std::filesystem::remove(file, ec);
      return io_error("snapshot write failed (" + what + " '" + file + "'): " + rs(s));
    };
    rocksdb::Options o(db_options(), cf_options(kSnapshots));
    rocksdb::SstFileWriter w(rocksdb::EnvOptions(), o, handles_[kSnapshots]);
    auto s = w.Open(file);
    if (s.ok()) s = w.Put(sequence_key(sequence), sl(bytes));
    if (s.ok()) s = w.Finish();  // also fsyncs the file
    if (!s.ok()) return fail_with("writing", s);
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;            // a hard link, then the file above is removed
    io.write_global_seqno = false;   // the file is never rewritten in place
    io.allow_blocking_flush = true;  // a snapshot older than a kept one may overlap the memtable
    s = db_->IngestExternalFile(handles_[kSnapshots], {file}, io);
    if (!s.ok()) return fail_with("ingesting", s);
    return {};
  }

  // Files a crash left behind between writing a snapshot's table file and ingesting it.
  void remove_stale_snapshot_files() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(opts_.path, ec)) {
      const std::string name = e.path().filename().string();
      if (name.starts_with(kSnapshotFilePrefix) && name.ends_with(kSnapshotFileSuffix))
        std::filesystem::remove(e.path(), ec);
    }
  }

  // Turns automatic compactions back on after the recovery that open() left them off for.
  // Called with write_mu_ held, before each write; a no-op after the first.
  void resume_compactions() {
    if (!compactions_paused_) return;
    bool all = true;  // on a failure (unexpected: the option is mutable) retry on the next write
    auto resume = [&](rocksdb::ColumnFamilyHandle* h) {
      if (h && !db_->SetOptions(h, {{"disable_auto_compactions", "false"}}).ok()) all = false;
    };
    for (auto* h : handles_) resume(h);
    for (auto* h : extra_) resume(h);
    compactions_paused_ = !all;
  }

  Result<std::uint64_t> write(std::span<const PendingEvent> events, bool sync) {
    if (read_only_) return io_error("journal '" + opts_.path + "' is open read-only");
    std::lock_guard lock(write_mu_);
    if (failed_.load()) return refused();
    resume_compactions();
    std::uint64_t first = last_seq_.load() + 1;
    if (events.empty()) return first;
    // recorded_ns never goes backwards, so by_time is ordered like the sequence. Events that
    // bring their own stamp keep it (clamped the same way); by_time gets an entry wherever the
    // stamp changes, so "first sequence at or after T" stays one seek.
    const std::int64_t now = clock_.now_ns();
    std::int64_t ns = last_recorded_ns_;
    std::int64_t entry_ns = -1;
    batch_.Clear();
    std::string key;
    std::vector<std::pair<std::string, std::uint64_t>> dlq_added;
    std::vector<std::string> dlq_closed;
    std::uint64_t seq = first;
    std::size_t i = 0;
    for (const auto& p : events) {
      // Cut into values of at most kMaxBatchEvents events, each keyed by its first sequence.
      if (i % kMaxBatchEvents == 0) {
        if (i != 0) {
          batch_.Put(handles_[kEvents], key, value_);
          put_order_groups();
        }
        key.clear();
        put_u64be(key, seq);
        encoder_.start(std::min(kMaxBatchEvents, events.size() - i), value_);
      }
      ns = std::max(p.recorded_ns != 0 ? p.recorded_ns : now, ns);
      if (ns != entry_ns) {
        batch_.Put(handles_[kByTime], by_time_key(ns, seq), rocksdb::Slice());
        entry_ns = ns;
      }
      encoder_.add(seq, ns, p.causation, p.event);
      ++i;
      auto ids = order_ids_of(p.event);
      for (int k = 0; k < ids.count; ++k) add_to_order_group(ids.ids[k]->str(), seq);
      auto link = venue_link_of(p.event);
      if (link.venue_order_id && !venue_link_known(*link.venue_order_id, *link.client_order_id))
        batch_.Put(handles_[kByVenueId], link.venue_order_id->str(), link.client_order_id->str());
      if (auto* dl = std::get_if<DeadLettered>(&p.event)) {
        batch_.Put(handles_[kDlq], sequence_key(seq), rocksdb::Slice());
        dlq_added.emplace_back(dl->client_order_id.str(), seq);
      }
      const ClientOrderId* closed = nullptr;
      if (is_dead_letter_close(p.event, &closed)) {
        // Closes every open dead letter of that order, including ones earlier in this batch.
        if (auto it = open_dlq_.find(closed->str()); it != open_dlq_.end())
          for (auto s : it->second) batch_.Delete(handles_[kDlq], sequence_key(s));
        for (auto& [id, s] : dlq_added)
          if (id == closed->str()) batch_.Delete(handles_[kDlq], sequence_key(s));
        std::erase_if(dlq_added, [&](const auto& a) { return a.first == closed->str(); });
        dlq_closed.push_back(closed->str());
      }
      ++seq;
    }
    batch_.Put(handles_[kEvents], key, value_);
    put_order_groups();
    // The first batch a v2 writer adds to a v1 journal marks it v2, atomically with the batch.
    if (schema_on_disk_ < kSchemaVersion)
      batch_.Put(handles_[kMeta], "schema_version", std::to_string(kSchemaVersion));
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    auto s = db_->Write(wo, &batch_);
    if (!s.ok()) {
      venue_links_.clear();  // the batch may not be there: forget what it would have linked
      return fail("journal write of sequences " + std::to_string(first) + ".." +
                  std::to_string(seq - 1) + " failed in '" + opts_.path + "': " + rs(s));
    }
    schema_on_disk_ = kSchemaVersion;
    for (auto& id : dlq_closed) open_dlq_.erase(id);
    for (auto& [id, s2] : dlq_added) open_dlq_[id].push_back(s2);
    last_recorded_ns_ = ns;
    last_seq_.store(seq - 1);
    return first;
  }

  // by_order grouping of one events value: each order id's first sequence in the value and
  // the varint deltas of its further sequences there (codec.h).
  struct OrderGroup {
    std::string_view id;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::string more;
  };
  void add_to_order_group(std::string_view id, std::uint64_t seq) {
    for (std::size_t g = 0; g < groups_used_; ++g) {
      auto& grp = groups_[g];
      if (grp.id == id) {
        append_varint(grp.more, seq - grp.last);
        grp.last = seq;
        return;
      }
    }
    if (groups_used_ == groups_.size()) groups_.emplace_back();
    auto& grp = groups_[groups_used_++];
    grp.id = id;
    grp.first = grp.last = seq;
    grp.more.clear();
  }
  void put_order_groups() {
    for (std::size_t g = 0; g < groups_used_; ++g) {
      auto& grp = groups_[g];
      by_order_key_to(order_key_, grp.id, grp.first);
      batch_.Put(handles_[kByOrder], order_key_, grp.more);
    }
    groups_used_ = 0;
  }
  std::vector<OrderGroup> groups_;
  std::size_t groups_used_ = 0;
  std::string order_key_;

  Options opts_;
  const Clock& clock_;
  bool read_only_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Cf
  std::vector<rocksdb::ColumnFamilyHandle*> extra_;    // families of a newer version, unused
  std::string secondary_dir_;

  mutable std::mutex write_mu_;  // one append at a time; guards the members below
  rocksdb::WriteBatch batch_;
  BatchEncoder encoder_;
  std::string value_;
  std::uint32_t schema_on_disk_ = kSchemaVersion;  // meta's schema_version
  std::int64_t last_recorded_ns_ = 0;
  std::int64_t last_batch_sync_mono_ = 0;
  std::map<std::string, std::vector<std::uint64_t>> open_dlq_;  // client order id -> sequences
  std::unordered_map<std::string, std::string> venue_links_;    // by_venue_id written

  std::mutex sync_mu_;
  std::atomic<std::uint64_t> last_seq_{0};
  std::atomic<bool> failed_{false};
  bool compactions_paused_ = false;  // guarded by write_mu_ once open() returned
  mutable std::mutex fail_mu_;
  std::string failure_;
};

Result<Stats> RocksJournal::stats() const {
  Stats st;
  std::vector<std::uint64_t> by_type(kEventTypeCount + 1, 0);  // last slot: unknown types
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kEvents]));
  bool first = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) continue;
    const std::uint64_t key = get_u64be(sv(it->key()));
    auto v = EventsValue::parse(sv(it->value()));
    const std::uint32_t n = v ? v->size() : 1;  // a damaged batch counts as one unknown record
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint64_t seq = key + i;
      Result<RecordHeader> h = v ? decode_header(v->record(i)) : Result<RecordHeader>(v.error());
      ++st.records;
      if (first) {
        st.first_sequence = seq;
        if (h) st.first_recorded_ns = h->recorded_ns;
        first = false;
      }
      st.last_sequence = seq;
      if (h) {
        st.last_recorded_ns = h->recorded_ns;
        ++by_type[std::min<std::size_t>(h->event_type, kEventTypeCount)];
      } else {
        ++by_type[kEventTypeCount];
      }
    }
  }
  if (!it->status().ok()) return io_error("journal stats failed: " + rs(it->status()));
  for (std::size_t i = 0; i < kEventTypeCount; ++i)
    if (by_type[i])
      st.by_type.emplace_back(std::string(to_string(static_cast<EventType>(i))), by_type[i]);
  if (by_type[kEventTypeCount]) st.by_type.emplace_back("Unknown", by_type[kEventTypeCount]);
  auto count = [&](int cf) {
    std::uint64_t n = 0;
    std::unique_ptr<rocksdb::Iterator> i(db_->NewIterator(rocksdb::ReadOptions(), handles_[cf]));
    for (i->SeekToFirst(); i->Valid(); i->Next()) ++n;
    return n;
  };
  st.dlq_open = count(kDlq);
  st.snapshots = count(kSnapshots);
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(opts_.path, ec))
    if (f.is_regular_file(ec)) st.disk_bytes += f.file_size(ec);
  return st;
}

// verify: one pass over events (continuity, decodability, the index entries each record
// implies), then one pass over each index family (entries pointing at records that do not
// carry them), then snapshots. Every issue names a sequence and a topic.
Result<VerifyReport> RocksJournal::verify() const {
  VerifyReport rep;
  auto issue = [&rep](std::uint64_t seq, const char* topic, std::string problem) {
    if (rep.issues.size() < 10'000) rep.issues.push_back({seq, topic, std::move(problem)});
  };
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  ro.verify_checksums = true;
  std::uint64_t expected_first = 1;
  {
    std::string v;
    if (db_->Get(ro, handles_[kMeta], "first_sequence", &v).ok())
      expected_first = std::strtoull(v.c_str(), nullptr, 10);
    auto s = db_->Get(ro, handles_[kMeta], "schema_version", &v);
    if (s.IsNotFound()) issue(0, "meta", "schema_version is missing");
  }

  // Pass 1: events.
  std::map<std::string, std::vector<std::uint64_t>> open_dlq;  // expected dlq content
  std::int64_t prev_ns = INT64_MIN;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kEvents]));
    std::uint64_t expect = expected_first;  // 0: unknown (after a damaged batch)
    bool any = false;
    Envelope env;
    std::string probe;
    auto count = [&](std::uint64_t seq) {  // continuity
      if (!any) rep.first_sequence = seq;
      any = true;
      rep.last_sequence = seq;
      ++rep.records;
      if (seq != expect && expect != 0)
        issue(seq, "events",
              "gap: expected sequence " + std::to_string(expect) + ", found " +
                  std::to_string(seq) +
                  (seq > expect ? " (" + std::to_string(seq - expect) + " missing)" : ""));
      expect = seq + 1;
    };
    // by_order: the sequences of each order id within the current events value. Every one
    // must be covered by an entry: one per (id, value) keyed by its first sequence (schema 3),
    // or one per event (schemas 1 and 2, empty values).
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> groups;
    std::vector<std::uint64_t> covered;
    auto check_order_groups = [&] {
      for (const auto& [id, seqs] : groups) {
        covered.clear();
        for (auto seq : seqs) {
          if (std::find(covered.begin(), covered.end(), seq) != covered.end()) continue;
          auto key = by_order_key(id, seq);
          auto s = db_->Get(ro, handles_[kByOrder], key, &probe);
          if (s.IsNotFound()) {
            issue(seq, "by_order", "missing index entry for client order id '" + id + "'");
          } else if (!s.ok()) {
            issue(seq, "by_order", "lookup failed: " + rs(s));
          } else if (auto st = by_order_sequences(key, probe, covered); !st) {
            issue(seq, "by_order", st.error().message);
          }
        }
      }
      groups.clear();
    };
    auto check_event = [&](std::uint64_t seq, std::string_view bytes) {
      count(seq);
      auto st = decode_into(bytes, env);
      if (!st) {
        issue(seq, "events", st.error().message);
        return;
      }
      if (env.sequence != seq)
        issue(seq, "events",
              "record carries sequence " + std::to_string(env.sequence) + " under key " +
                  std::to_string(seq));
      if (env.recorded_ns < prev_ns)
        issue(seq, "events",
              "recorded_ns goes backwards (" + std::to_string(env.recorded_ns) + " < " +
                  std::to_string(prev_ns) + ")");
      // Time lookups seek by_time: every change of recorded_ns must have its entry.
      if (env.recorded_ns != prev_ns) {
        auto s = db_->Get(ro, handles_[kByTime], by_time_key(env.recorded_ns, seq), &probe);
        if (s.IsNotFound())
          issue(seq, "by_time",
                "missing entry where recorded_ns becomes " + std::to_string(env.recorded_ns));
        else if (!s.ok())
          issue(seq, "by_time", "lookup failed: " + rs(s));
      }
      prev_ns = env.recorded_ns;
      auto ids = order_ids_of(env.event);
      for (int i = 0; i < ids.count; ++i) {
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& x) { return x.first == ids.ids[i]->str(); });
        if (g == groups.end()) g = groups.insert(groups.end(), {ids.ids[i]->str(), {}});
        g->second.push_back(seq);
      }
      auto link = venue_link_of(env.event);
      if (link.venue_order_id) {
        auto s = db_->Get(ro, handles_[kByVenueId], link.venue_order_id->str(), &probe);
        if (s.IsNotFound())
          issue(seq, "by_venue_id",
                "missing index entry for venue order id '" + link.venue_order_id->str() + "'");
      }
      if (auto* dl = std::get_if<DeadLettered>(&env.event))
        open_dlq[dl->client_order_id.str()].push_back(seq);
      const ClientOrderId* closed = nullptr;
      if (is_dead_letter_close(env.event, &closed)) open_dlq.erase(closed->str());
    };
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto key = sv(it->key());
      if (key.size() != 8) {
        issue(0, "events", "malformed key of " + std::to_string(key.size()) + " bytes");
        continue;
      }
      const std::uint64_t first = get_u64be(key);
      auto v = EventsValue::parse(sv(it->value()));
      if (!v) {
        // How many events it held is unknown: no gap is reported before the next value.
        count(first);
        issue(first, "events", v.error().message);
        expect = 0;
        continue;
      }
      for (std::uint32_t i = 0; i < v->size(); ++i) check_event(first + i, v->record(i));
      check_order_groups();
    }
    if (!it->status().ok())
      issue(rep.last_sequence + 1, "events", "read failed: " + rs(it->status()));
  }

  std::unique_ptr<rocksdb::Iterator> lookup(db_->NewIterator(ro, handles_[kEvents]));
  auto record_at = [&](std::uint64_t seq, Envelope& env) -> std::string {
    auto found = find(*lookup, seq, env);
    if (!found) {
      if (found.error().kind == ErrorKind::kCorruption) return "points at an undecodable record";
      return "lookup of sequence " + std::to_string(seq) + " failed: " + found.error().message;
    }
    if (!*found) return "points at sequence " + std::to_string(seq) + ", which is absent";
    return "";
  };

  // Pass 2: by_order entries must point at records about that order.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kByOrder]));
    Envelope env;
    std::vector<std::uint64_t> seqs;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto k = sv(it->key());
      if (k.size() < 9 || k[k.size() - 9] != '\0') {
        issue(0, "by_order", "malformed key");
        continue;
      }
      std::string id(k.substr(0, k.size() - 9));
      seqs.clear();
      if (auto st = by_order_sequences(k, sv(it->value()), seqs); !st)
        issue(seqs.front(), "by_order", st.error().message);
      for (auto seq : seqs) {
        auto why = record_at(seq, env);
        if (!why.empty()) {
          issue(seq, "by_order", "entry for '" + id + "' " + why);
          continue;
        }
        auto ids = order_ids_of(env.event);
        bool found = false;
        for (int i = 0; i < ids.count; ++i) found = found || ids.ids[i]->str() == id;
        if (!found)
          issue(seq, "by_order",
                "entry for '" + id + "' points at a " + std::string(to_string(type_of(env.event))) +
                    " that does not carry that id");
      }
    }
  }
  // by_venue_id: the client order id must have a record that links it to this venue id.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kByVenueId]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string voi = it->key().ToString();
      std::string coid = it->value().ToString();
      auto seqs = sequences_for_order(ClientOrderId(coid));
      bool found = false;
      std::uint64_t last = 0;
      if (seqs) {
        for (auto seq : *seqs) {
          last = seq;
          auto e = get(seq);
          if (!e || !*e) continue;
          auto link = venue_link_of((*e)->event);
          if (link.venue_order_id && link.venue_order_id->str() == voi &&
              link.client_order_id->str() == coid) {
            found = true;
            break;
          }
        }
      }
      if (!found)
        issue(last, "by_venue_id",
              "venue order id '" + voi + "' -> '" + coid + "' has no record linking them");
    }
  }
  // by_time entries must point at records recorded at that time.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kByTime]));
    Envelope env;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto k = sv(it->key());
      if (k.size() != 16) {
        issue(0, "by_time", "malformed key");
        continue;
      }
      auto ns = static_cast<std::int64_t>(get_u64be(k));
      std::uint64_t seq = get_u64be(k.substr(8));
      auto why = record_at(seq, env);
      if (!why.empty()) {
        issue(seq, "by_time", "entry " + why);
      } else if (env.recorded_ns != ns) {
        issue(seq, "by_time",
              "entry says recorded_ns " + std::to_string(ns) + ", record says " +
                  std::to_string(env.recorded_ns));
      }
    }
  }
  // dlq: exactly the DeadLettered events not yet retried or dropped.
  {
    std::set<std::uint64_t> expected;
    for (auto& [id, seqs] : open_dlq) expected.insert(seqs.begin(), seqs.end());
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kDlq]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8) {
        issue(0, "dlq", "malformed key");
        continue;
      }
      std::uint64_t seq = get_u64be(sv(it->key()));
      if (!expected.erase(seq))
        issue(seq, "dlq",
              "entry is not an open dead letter (not a DeadLettered event, or "
              "already retried or dropped)");
    }
    for (auto seq : expected) issue(seq, "dlq", "open dead letter has no dlq entry");
  }
  // snapshots: never beyond the end of the journal.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kSnapshots]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8) {
        issue(0, "snapshots", "malformed key");
        continue;
      }
      std::uint64_t seq = get_u64be(sv(it->key()));
      if (seq > rep.last_sequence)
        issue(seq, "snapshots",
              "snapshot at sequence " + std::to_string(seq) + " is beyond the last sequence " +
                  std::to_string(rep.last_sequence));
    }
  }
  std::stable_sort(
      rep.issues.begin(), rep.issues.end(),
      [](const VerifyIssue& a, const VerifyIssue& b) { return a.sequence < b.sequence; });
  return rep;
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::open(const Options& options, const Clock& clock) {
  auto j = std::make_unique<RocksJournal>(options, clock, false);
  auto st = j->open();
  if (!st) return st.error();
  return std::unique_ptr<Journal>(std::move(j));
}

Result<std::unique_ptr<Journal>> Journal::open_read_only(const std::string& path,
                                                         const Clock& clock) {
  Options o;
  o.path = path;
  o.create_if_missing = false;
  o.durability = Durability::kNone;
  auto j = std::make_unique<RocksJournal>(o, clock, true);
  auto st = j->open();
  if (!st) return st.error();
  return std::unique_ptr<Journal>(std::move(j));
}

}  // namespace at::journal
