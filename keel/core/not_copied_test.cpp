// Tests for keel/core/not_copied.hpp: an owner with a cache pointing into its own vector, copied,
// moved and assigned: every copy keeps the data, its cache starts empty, and the original's cache
// still points into the original.
#include "keel/core/not_copied.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

namespace keel {
namespace {

struct Owner {
  std::vector<int> values{1, 2, 3};
  NotCopied<int*> last;  // points into `values`
};

TEST(NotCopied, CopiesAndMovesStartEmpty) {
  Owner a;
  *a.last = &a.values[1];
  Owner b = a;
  EXPECT_EQ(b.values, a.values);
  EXPECT_EQ(*b.last, nullptr);
  EXPECT_EQ(*a.last, &a.values[1]);
  Owner c = std::move(b);
  EXPECT_EQ(c.values, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(*c.last, nullptr);
}

TEST(NotCopied, AssignmentResetsTheTarget) {
  Owner a, b;
  *a.last = &a.values[0];
  *b.last = &b.values[2];
  b = a;
  EXPECT_EQ(*b.last, nullptr);  // not a's pointer, and not b's own stale one
  EXPECT_EQ(*a.last, &a.values[0]);
  *b.last = &b.values[0];
  b = Owner{};
  EXPECT_EQ(*b.last, nullptr);
}

TEST(NotCopied, HoldsMoveOnlyValuesAndStructs) {
  struct Memo {
    int key = 0;
    const int* at = nullptr;
  };
  NotCopied<Memo> m;
  EXPECT_EQ(m->key, 0);
  EXPECT_EQ(m->at, nullptr);
  m->key = 7;
  NotCopied<Memo> n = m;
  EXPECT_EQ(n->key, 0);
  EXPECT_EQ(m->key, 7);
  NotCopied<std::unique_ptr<int>> p;
  *p = std::make_unique<int>(5);
  NotCopied<std::unique_ptr<int>> q = p;  // does not take the pointee
  EXPECT_EQ(*q, nullptr);
  ASSERT_NE(*p, nullptr);
  EXPECT_EQ(**p, 5);
  p = q;  // frees it
  EXPECT_EQ(*p, nullptr);
}

}  // namespace
}  // namespace keel
