// Box<T>: a heap-allocated T with value semantics (copying a Box copies the T), or empty.
// Lets a copyable projection hold records by pointer, so that a record can be dropped from the
// middle of a sequence without moving the others.
#pragma once

#include <memory>
#include <utility>

namespace at::projections::detail {

template <typename T>
class Box {
 public:
  Box() = default;
  static Box make() {
    Box b;
    b.p_ = std::make_unique<T>();
    return b;
  }
  Box(const Box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Box& operator=(const Box& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Box(Box&&) noexcept = default;
  Box& operator=(Box&&) noexcept = default;

  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  void reset() { p_.reset(); }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace at::projections::detail
