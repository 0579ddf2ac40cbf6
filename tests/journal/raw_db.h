// Raw RocksDB access to a journal's column families, for tests that damage a journal the way a
// disk or a bug would, or that check what the writer stored.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace at::journal::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> d;
    for (auto& n : names) d.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    auto s = rocksdb::DB::Open(rocksdb::Options(), path, d, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
    for (std::size_t i = 0; i < names.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  }
  void put(const std::string& cf, const std::string& k, const std::string& v) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), by_name_.at(cf), k, v).ok());
  }
  void del(const std::string& cf, const std::string& k) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), by_name_.at(cf), k).ok());
  }
  std::string get(const std::string& cf, const std::string& k) {
    std::string v;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), by_name_.at(cf), k, &v).ok()) << cf;
    return v;
  }
  std::vector<std::string> keys(const std::string& cf) {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), by_name_.at(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key().ToString());
    return out;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

}  // namespace at::journal::testing
