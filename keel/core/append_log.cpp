#include "keel/core/append_log.hpp"

#include <cstdlib>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace keel::detail {

namespace {
constexpr std::align_val_t kAlign{64};
}

ChunkSource::ChunkSource(ChunkSource&& o) noexcept
    : small_(std::move(o.small_)),
      blocks_(std::move(o.blocks_)),
      block_used_(std::exchange(o.block_used_, kBlockBytes)),
      taken_(std::exchange(o.taken_, 0)) {
  o.small_.clear();
  o.blocks_.clear();
}

ChunkSource& ChunkSource::operator=(ChunkSource&& o) noexcept {
  if (this != &o) {
    release();
    small_ = std::move(o.small_);
    blocks_ = std::move(o.blocks_);
    o.small_.clear();
    o.blocks_.clear();
    block_used_ = std::exchange(o.block_used_, kBlockBytes);
    taken_ = std::exchange(o.taken_, 0);
  }
  return *this;
}

ChunkSource::~ChunkSource() { release(); }

void ChunkSource::release() noexcept {
  for (void* p : small_) ::operator delete(p, kAlign);
  for (void* p : blocks_) std::free(p);
  small_.clear();
  blocks_.clear();
  block_used_ = kBlockBytes;
  taken_ = 0;
}

void* ChunkSource::take(std::size_t bytes) {
  if (taken_ < kSmallChunks || bytes > kBlockBytes) {
    small_.reserve(small_.size() + 1);
    void* p = ::operator new(bytes, kAlign);
    small_.push_back(p);
    ++taken_;
    return p;
  }
  if (block_used_ + bytes > kBlockBytes) {
    blocks_.reserve(blocks_.size() + 1);
    void* b = std::aligned_alloc(kBlockBytes, kBlockBytes);
    if (b == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    ::madvise(b, kBlockBytes, MADV_HUGEPAGE);  // a hint: failure (THP off) changes nothing
#endif
    blocks_.push_back(b);
    block_used_ = 0;
  }
  void* p = static_cast<char*>(blocks_.back()) + block_used_;
  block_used_ += bytes;
  ++taken_;
  return p;
}

}  // namespace keel::detail
