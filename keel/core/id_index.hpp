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

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A set of strings that only grows (e.g. every client order id a venue has seen): the strings
// are kept in insertion order in one vector, and an open-addressing table of (hash, index)
// pairs finds them, so inserting a new string costs one probe into a flat table (a hash match
// is confirmed by comparing the strings) instead of a node allocation and a bucket walk.
class StringSet {
 public:
  // True when `s` was new (and is now in the set).
  bool insert(std::string_view s) {
    if (2 * (strings_.size() + 1) > table_.size()) grow();
    const std::uint64_t h = std::hash<std::string_view>{}(s);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Entry& e = table_[i];
      if (e.index == kEmpty) {
        e = Entry{h, static_cast<std::uint32_t>(strings_.size())};
        strings_.emplace_back(s);
        return true;
      }
      if (e.hash == h && strings_[e.index] == s) return false;
    }
  }
  std::size_t size() const noexcept { return strings_.size(); }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  struct Entry {
    std::uint64_t hash = 0;
    std::uint32_t index = kEmpty;
  };
  void grow() {
    const std::size_t n = table_.empty() ? 16 : 2 * table_.size();
    table_.assign(n, Entry{});
    mask_ = n - 1;
    for (std::uint32_t k = 0; k < strings_.size(); ++k) {
      const std::uint64_t h = std::hash<std::string_view>{}(strings_[k]);
      std::size_t i = h & mask_;
      while (table_[i].index != kEmpty) i = (i + 1) & mask_;
      table_[i] = Entry{h, k};
    }
  }
  std::vector<Entry> table_;
  std::size_t mask_ = 0;
  std::vector<std::string> strings_;
};

}  // namespace keel
