#include "keel/testkit/gzip_file.hpp"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "keel/core/assert.hpp"

namespace keel::testkit {

std::string gzip_bytes(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16 asks zlib for a gzip wrapper instead of a zlib one (zlib.h, deflateInit2).
  KEEL_ASSERT(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int ret = deflate(&zs, Z_FINISH);
  KEEL_ASSERT(ret == Z_STREAM_END, "deflate did not finish");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  KEEL_ASSERT(f.good(), "cannot create test file");
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  KEEL_ASSERT(f.good(), "cannot write test file");
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  KEEL_ASSERT(f.good(), "cannot open test file");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace keel::testkit
