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
// - Memory: the first 16 chunks (1 MiB) are plain allocations; later chunks are carved from
//   2 MiB blocks that Linux is asked to back with transparent huge pages (madvise
//   MADV_HUGEPAGE; ignored where THP is off): a run's logs then take one page fault per 2 MiB
//   instead of 512, which was ~2.6 us each on the benchmark machine (docs/PERFORMANCE.md).
// Validated by append_log_test.cpp against std::vector under the same appends, element addresses
// checked stable across chunk boundaries.
// Thread safety: like a standard container (concurrent reads are safe; writes need exclusive access).
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace keel {
namespace detail {

// Storage for AppendLog chunks (sizes multiples of 64 KiB): the first kSmallChunks plainly
// allocated, later ones carved from 2 MiB blocks advised for transparent huge pages. Owns and
// frees everything it handed out. Move-only.
class ChunkSource {
 public:
  static constexpr std::size_t kSmallChunks = 16;
  static constexpr std::size_t kBlockBytes = std::size_t{2} << 20;
  ChunkSource() = default;
  ChunkSource(const ChunkSource&) = delete;
  ChunkSource& operator=(const ChunkSource&) = delete;
  ChunkSource(ChunkSource&& o) noexcept;
  ChunkSource& operator=(ChunkSource&& o) noexcept;
  ~ChunkSource();
  void* take(std::size_t bytes);  // 64-byte aligned; throws std::bad_alloc

 private:
  void release() noexcept;
  std::vector<void*> small_;   // ::operator new (64-byte aligned)
  std::vector<void*> blocks_;  // std::aligned_alloc(kBlockBytes, kBlockBytes)
  std::size_t block_used_ = kBlockBytes;  // bytes handed out of blocks_.back()
  std::size_t taken_ = 0;                 // chunks handed out
};

}  // namespace detail

template <class T>
class AppendLog {
 public:
  static constexpr std::size_t kPerChunk = sizeof(T) >= 65536 ? 1 : 65536 / sizeof(T);
  static_assert(alignof(T) <= 64, "AppendLog chunks are 64-byte aligned");

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
    operator Iter<true>() const requires(!kConst) { return Iter<true>(log_, i_); }  // NOLINT: to const_iterator

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
  AppendLog(const AppendLog& o) {
    for (const T& t : o) emplace_back(t);
  }
  AppendLog& operator=(const AppendLog& o) {
    if (this != &o) {
      AppendLog copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  AppendLog(AppendLog&& o) noexcept
      : chunks_(std::move(o.chunks_)), size_(std::exchange(o.size_, 0)), source_(std::move(o.source_)) {
    o.chunks_.clear();
  }
  AppendLog& operator=(AppendLog&& o) noexcept {
    if (this != &o) {
      clear();
      chunks_ = std::move(o.chunks_);
      o.chunks_.clear();
      size_ = std::exchange(o.size_, 0);
      source_ = std::move(o.source_);
    }
    return *this;
  }
  ~AppendLog() { destroy_all(); }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  T& operator[](std::size_t i) noexcept { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const T& operator[](std::size_t i) const noexcept { return chunks_[i / kPerChunk][i % kPerChunk]; }
  T& front() noexcept { return (*this)[0]; }
  const T& front() const noexcept { return (*this)[0]; }
  T& back() noexcept { return (*this)[size_ - 1]; }
  const T& back() const noexcept { return (*this)[size_ - 1]; }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == chunks_.size() * kPerChunk) {
      chunks_.reserve(chunks_.size() + 1);  // so that push_back below cannot throw
      chunks_.push_back(static_cast<T*>(source_.take(kChunkBytes)));
    }
    T* t = ::new (static_cast<void*>(chunks_.back() + size_ % kPerChunk)) T(std::forward<Args>(args)...);
    ++size_;
    return *t;
  }
  void push_back(const T& t) { emplace_back(t); }
  void push_back(T&& t) { emplace_back(std::move(t)); }
  void clear() noexcept {
    destroy_all();
    chunks_.clear();
    source_ = detail::ChunkSource{};
  }

  iterator begin() noexcept { return iterator(this, 0); }
  iterator end() noexcept { return iterator(this, size_); }
  const_iterator begin() const noexcept { return const_iterator(this, 0); }
  const_iterator end() const noexcept { return const_iterator(this, size_); }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

 private:
  static constexpr std::size_t kChunkBytes = (kPerChunk * sizeof(T) + 65535) / 65536 * 65536;
  void destroy_all() noexcept {
    if constexpr (!std::is_trivially_destructible_v<T>) {
      for (std::size_t i = 0; i < size_; ++i) (*this)[i].~T();
    }
    size_ = 0;
  }
  std::vector<T*> chunks_;  // raw storage for kPerChunk elements each; the first size_ are live
  std::size_t size_ = 0;
  detail::ChunkSource source_;
};

}  // namespace keel
