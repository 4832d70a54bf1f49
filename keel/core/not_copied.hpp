// keel/core/not_copied.hpp — a member that copies and moves of its owner do not carry.
//
// Contract: NotCopied<T> holds a value-initialized T, reached by * and ->. A copy or a move of
// it holds a value-initialized T, and assigning to it (copy or move) resets its T to
// value-initialized. For caches that point into their owner's own storage (a node of its map, a
// slot of its vector, a node taken out of its map): a copied or moved owner starts without them
// instead of pointing into, or handing back, the original's storage, and the owner's defaulted
// copy and move operations stay correct without being written out.
// Requires T default-constructible and move-assignable without throwing.
// Validated by not_copied_test.cpp (an owner copied, moved and assigned keeps its own data and
// starts with an empty cache; the original's cache is untouched).
// Thread safety: as T.
#pragma once

namespace keel {

template <class T>
class NotCopied {
 public:
  NotCopied() = default;
  NotCopied(const NotCopied&) noexcept {}
  NotCopied& operator=(const NotCopied&) noexcept {
    value_ = T{};
    return *this;
  }
  ~NotCopied() = default;

  T& operator*() noexcept { return value_; }
  const T& operator*() const noexcept { return value_; }
  T* operator->() noexcept { return &value_; }
  const T* operator->() const noexcept { return &value_; }

 private:
  T value_{};
};

}  // namespace keel
