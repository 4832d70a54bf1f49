// keel/core/id_index.hpp — a dense index over 64-bit ids: each distinct id gets the next slot
// number (0, 1, 2, ...) the first time it is inserted, so that per-id state can live in plain
// vectors indexed by slot instead of node-based hash maps on the hot path (the engine's bar
// history, the venue's last bars and quotes).
//
// Contract:
// - insert(id) returns id's slot, assigning size() when the id is new; slots never change and
//   are never reused (there is no erase). find(id) returns the slot or kNone.
// - Any int64 is a valid id (0 and negative ones included).
// - Open addressing with linear probing over a power-of-two table kept at most half full; the
//   hash is a 64-bit multiplicative (Fibonacci) mix, so lookups of small sequential ids cost a
//   multiply, a shift and usually one probe.
// Validated by id_index_test.cpp against std::unordered_map over random and adversarial ids.
// Thread safety: concurrent find() calls are safe; insert() needs exclusive access.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/core/string_equal.hpp"

namespace keel {

class IdIndex {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  std::uint32_t find(std::int64_t id) const noexcept {
    if (table_.empty()) return kNone;
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      const Entry& e = table_[i];
      if (e.slot == kNone) return kNone;
      if (e.id == id) return e.slot;
    }
  }

  std::uint32_t insert(std::int64_t id) {
    if (2 * (size_ + 1) > table_.size()) grow();
    for (std::size_t i = home(id);; i = (i + 1) & mask_) {
      Entry& e = table_[i];
      if (e.slot == kNone) {
        e = Entry{id, size_};
        return size_++;
      }
      if (e.id == id) return e.slot;
    }
  }

  std::size_t size() const noexcept { return size_; }

 private:
  struct Entry {
    std::int64_t id = 0;
    std::uint32_t slot = kNone;
  };

  std::size_t home(std::int64_t id) const noexcept {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void grow() {
    const std::size_t n = table_.empty() ? 16 : 2 * table_.size();
    std::vector<Entry> old;
    old.swap(table_);
    table_.assign(n, Entry{});
    mask_ = n - 1;
    shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(n));
    for (const Entry& e : old) {
      if (e.slot == kNone) continue;
      std::size_t i = home(e.id);
      while (table_[i].slot != kNone) i = (i + 1) & mask_;
      table_[i] = e;
    }
  }

  std::vector<Entry> table_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::uint32_t size_ = 0;
};

// A map from 64-bit ids to values on top of IdIndex: values live in a vector by slot, so a
// lookup is one probe and no node is allocated per id. erase() empties the value (the slot
// stays reserved for the id). Iteration order is not offered: callers that report in some
// order keep their own.
template <class T>
class IdMap {
 public:
  T* find(std::int64_t id) noexcept {
    const std::uint32_t s = index_.find(id);
    return s == IdIndex::kNone || !values_[s] ? nullptr : &*values_[s];
  }
  const T* find(std::int64_t id) const noexcept {
    const std::uint32_t s = index_.find(id);
    return s == IdIndex::kNone || !values_[s] ? nullptr : &*values_[s];
  }
  T& insert_or_assign(std::int64_t id, T value) {
    std::optional<T>& v = slot(id);
    v = std::move(value);
    return *v;
  }
  // The value for id, default-constructed when absent.
  T& operator[](std::int64_t id) {
    std::optional<T>& v = slot(id);
    if (!v) v.emplace();
    return *v;
  }
  void erase(std::int64_t id) noexcept {
    const std::uint32_t s = index_.find(id);
    if (s != IdIndex::kNone) values_[s].reset();
  }

 private:
  std::optional<T>& slot(std::int64_t id) {
    const std::uint32_t s = index_.insert(id);
    if (s == values_.size()) values_.emplace_back();
    return values_[s];
  }
  IdIndex index_;
  std::vector<std::optional<T>> values_;
};

// A set of strings that only grows (e.g. every client order id a venue has seen). The strings'
// bytes are kept back to back in one arena (string k spans ends_[k-1] .. ends_[k]), and an
// open-addressing table of 8-byte (hash tag, index) entries kept at most half full finds them:
// inserting costs one probe into a flat table, a tag match is confirmed by comparing the bytes,
// and growing the table re-places the entries by their stored tags without touching the
// strings. About 20 bytes per short string in all (a vector of std::string with a 16-byte table
// took 64, and faulted in twice that as it doubled: docs/PERFORMANCE.md, session 6).
// Limits: fewer than 2^32 - 1 strings of at most 4 GiB in total (insert throws std::length_error
// beyond; a venue sees one id per order).
// Counter ids ("<prefix><decimal counter>", e.g. "BT-000017"): strings with the prefix and the
// number of digits of the first such string the set sees, and a counter below 2^24, are kept as
// bits of a bitmap instead: a sequential order id then costs a bit test in a line just touched, where a hash
// probe into a table of tens of thousands of ids missed the cache on every insert (6% of the
// event-loop benchmark). Which representation holds a string depends on the string and that
// first prefix and width only, so no string can be in both.
class StringSet {
 public:
  // True when `s` was new (and is now in the set).
  bool insert(std::string_view s) {
    if (const std::int64_t n = counter_of(s); n >= 0) {
      const auto word = static_cast<std::size_t>(n >> 6);
      if (word >= bits_.size()) bits_.resize(std::max(word + 1, 2 * bits_.size()), 0);
      const std::uint64_t bit = std::uint64_t{1} << (n & 63);
      if ((bits_[word] & bit) != 0) return false;
      bits_[word] |= bit;
      ++counters_;
      return true;
    }
    if (2 * (ends_.size() + 1) > table_.size()) grow();
    const std::uint32_t tag = tag_of(s);
    for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
      Entry& e = table_[i];
      if (e.index == kEmpty) {
        if (ends_.size() >= kEmpty - 1 || arena_.size() + s.size() > 0xffffffffu) {
          throw std::length_error("StringSet: more than 2^32 strings or bytes");
        }
        arena_.append(s);
        ends_.push_back(static_cast<std::uint32_t>(arena_.size()));
        e = Entry{tag, static_cast<std::uint32_t>(ends_.size() - 1)};
        return true;
      }
      if (e.tag == tag && at(e.index) == s) return false;
    }
  }
  std::size_t size() const noexcept { return ends_.size() + counters_; }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  static constexpr std::int64_t kCounterLimit = std::int64_t{1} << 24;
  // The counter when s is "<counter prefix><counter digits>" with as many digits as the first
  // such string had (leading zeros included: within one width, digits and value correspond one
  // to one) and a value below 2^24, else -1. The first string with a non-empty prefix and 1 to 8
  // trailing digits fixes the prefix and the width.
  std::int64_t counter_of(std::string_view s) {
    std::size_t d = s.size();
    while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9') --d;
    const std::size_t digits = s.size() - d;
    if (digits == 0 || digits > 8 || d == 0) return -1;
    const std::string_view prefix = s.substr(0, d);
    if (counter_digits_ == 0) {
      counter_prefix_ = std::string(prefix);
      counter_digits_ = digits;
    }
    if (digits != counter_digits_ || !equal_strings(prefix, counter_prefix_)) return -1;
    std::int64_t n = 0;
    for (std::size_t i = d; i < s.size(); ++i) n = n * 10 + (s[i] - '0');
    return n < kCounterLimit ? n : -1;
  }
  struct Entry {
    std::uint32_t tag = 0;  // the high half of the string's 64-bit hash
    std::uint32_t index = kEmpty;
  };
  static std::uint32_t tag_of(std::string_view s) noexcept {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(s) >> 32);
  }
  std::string_view at(std::uint32_t k) const noexcept {
    const std::uint32_t begin = k == 0 ? 0 : ends_[k - 1];
    return std::string_view(arena_).substr(begin, ends_[k] - begin);
  }
  void grow() {
    const std::size_t n = table_.empty() ? 16 : 2 * table_.size();
    std::vector<Entry> old = std::move(table_);
    table_.assign(n, Entry{});
    mask_ = n - 1;
    for (const Entry& e : old) {
      if (e.index == kEmpty) continue;
      std::size_t i = e.tag & mask_;
      while (table_[i].index != kEmpty) i = (i + 1) & mask_;
      table_[i] = e;
    }
  }
  std::vector<Entry> table_;
  std::size_t mask_ = 0;
  std::string arena_;
  std::vector<std::uint32_t> ends_;
  std::size_t counter_digits_ = 0;  // 0 until the first counter string
  std::string counter_prefix_;
  std::vector<std::uint64_t> bits_;  // bit n: "<counter_prefix_>n" is in the set
  std::size_t counters_ = 0;
};

}  // namespace keel
