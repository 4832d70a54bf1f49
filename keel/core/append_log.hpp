// keel/core/append_log.hpp — an append-only sequence stored in fixed-size chunks: the records a run
// keeps for its whole length (the ledger's bookings and closed trades, the engine's order book).
//
// Why not std::vector: a vector that grows by doubling copies every record at each growth and
// touches about twice its final size in fresh pages; on the event-loop benchmark the ledger's two
// logs alone cost a third of the run in page faults (docs/PERFORMANCE.md, session 6). A chunked
// log touches each page once and never moves a record.
//
// Contract:
// - push_back / emplace_back append at the end; nothing is ever inserted elsewhere or erased
//   except by clear(). Elements never move: references, pointers and iterators to elements stay
//   valid until clear() or destruction (end() moves on as elements are appended).
// - Chunks hold kPerChunk elements each (about 64 KiB, at least one element), so operator[] is
//   a division by a constant and an index into a chunk; iterators are random access.
// - Copyable and movable (a copy is a deep copy into fresh chunks; a move keeps element addresses).
// Validated by append_log_test.cpp against std::vector under the same appends, element addresses
// checked stable across chunk boundaries.
// Thread safety: like a standard container (concurrent reads are safe; writes need exclusive access).
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace keel {

template <class T>
class AppendLog {
 public:
  static constexpr std::size_t kPerChunk = sizeof(T) >= 65536 ? 1 : 65536 / sizeof(T);

  template <bool kConst>
  class Iter {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using iterator_concept = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const T*, T*>;
    using reference = std::conditional_t<kConst, const T&, T&>;
    using Log = std::conditional_t<kConst, const AppendLog, AppendLog>;

    Iter() = default;
    Iter(Log* log, std::size_t i) : log_(log), i_(i) {}
    operator Iter<true>() const { return Iter<true>(log_, i_); }  // NOLINT: iterator -> const_iterator

    reference operator*() const { return (*log_)[i_]; }
    pointer operator->() const { return &(*log_)[i_]; }
    reference operator[](difference_type n) const { return (*log_)[i_ + static_cast<std::size_t>(n)]; }
    Iter& operator++() { ++i_; return *this; }
    Iter operator++(int) { Iter t = *this; ++i_; return t; }
    Iter& operator--() { --i_; return *this; }
    Iter operator--(int) { Iter t = *this; --i_; return t; }
    Iter& operator+=(difference_type n) { i_ += static_cast<std::size_t>(n); return *this; }
    Iter& operator-=(difference_type n) { i_ -= static_cast<std::size_t>(n); return *this; }
    friend Iter operator+(Iter a, difference_type n) { return a += n; }
    friend Iter operator+(difference_type n, Iter a) { return a += n; }
    friend Iter operator-(Iter a, difference_type n) { return a -= n; }
    friend difference_type operator-(const Iter& a, const Iter& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const Iter& a, const Iter& b) { return a.i_ <=> b.i_; }

   private:
    Log* log_ = nullptr;
    std::size_t i_ = 0;
  };
  using value_type = T;
  using size_type = std::size_t;
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  AppendLog() = default;
  AppendLog(const AppendLog& o) : size_(0) {
    for (const T& t : o) emplace_back(t);
  }
  AppendLog& operator=(const AppendLog& o) {
    if (this != &o) {
      AppendLog copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  AppendLog(AppendLog&&) noexcept = default;
  AppendLog& operator=(AppendLog&&) noexcept = default;
  ~AppendLog() = default;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  T& operator[](std::size_t i) noexcept { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const T& operator[](std::size_t i) const noexcept { return chunks_[i / kPerChunk][i % kPerChunk]; }
  T& front() noexcept { return chunks_.front().front(); }
  const T& front() const noexcept { return chunks_.front().front(); }
  T& back() noexcept { return chunks_.back().back(); }
  const T& back() const noexcept { return chunks_.back().back(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (chunks_.empty() || chunks_.back().size() == kPerChunk) {
      chunks_.emplace_back();
      chunks_.back().reserve(kPerChunk);  // never exceeded: the chunk's elements never move
    }
    T& t = chunks_.back().emplace_back(std::forward<Args>(args)...);
    ++size_;
    return t;
  }
  void push_back(const T& t) { emplace_back(t); }
  void push_back(T&& t) { emplace_back(std::move(t)); }
  void clear() noexcept {
    chunks_.clear();
    size_ = 0;
  }

  iterator begin() noexcept { return iterator(this, 0); }
  iterator end() noexcept { return iterator(this, size_); }
  const_iterator begin() const noexcept { return const_iterator(this, 0); }
  const_iterator end() const noexcept { return const_iterator(this, size_); }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

 private:
  // Each chunk is a vector reserved to kPerChunk and never grown past it.
  std::vector<std::vector<T>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace keel
