#include "keel/data/polygon_import.hpp"

namespace keel::data {

std::string_view transform_id(PolygonDataset dataset) noexcept {
  switch (dataset) {
    case PolygonDataset::kStocksDay: return "polygon-stocks-day/1";
    case PolygonDataset::kStocksMinute: return "polygon-stocks-minute/1";
    case PolygonDataset::kOptionsDay: return "polygon-options-day/1";
  }
  return "polygon/1";
}

Duration polygon_timeframe(PolygonDataset dataset) noexcept {
  return dataset == PolygonDataset::kStocksMinute ? kOneMinute : kOneDay;
}

CsvMapping polygon_mapping() {
  CsvMapping m;
  m.symbol = "ticker";
  m.time = "window_start";
  m.time_format = TimeFormat::kEpochNanos;
  m.open = "open";
  m.high = "high";
  m.low = "low";
  m.close = "close";
  m.volume = "volume";
  m.trade_count = "transactions";
  return m;
}

OptionRoot option_root(std::string_view root) {
  // Cash-settled, European-style index options and their weekly/PM-settled roots (Cboe and
  // Nasdaq product specifications for SPX/SPXW, XSP, RUT/RUTW, VIX/VIXW, NDX/NDXP, DJX).
  struct IndexRoot {
    std::string_view root, index;
  };
  static constexpr IndexRoot kIndexRoots[] = {
      {"SPX", "SPX"}, {"SPXW", "SPX"}, {"XSP", "XSP"}, {"RUT", "RUT"}, {"RUTW", "RUT"}, {"VIX", "VIX"},
      {"VIXW", "VIX"}, {"NDX", "NDX"}, {"NDXP", "NDX"}, {"DJX", "DJX"},
  };
  OptionRoot out;
  for (const IndexRoot& r : kIndexRoots) {
    if (r.root == root) {
      out.underlying = std::string(r.index);
      out.underlying_class = AssetClass::kIndex;
      out.exercise = ExerciseStyle::kEuropean;
      out.settlement = Settlement::kCash;
      return out;
    }
  }
  std::size_t n = root.size();
  while (n > 0 && root[n - 1] >= '0' && root[n - 1] <= '9') --n;
  if (n > 0 && n < root.size()) {
    out.underlying = std::string(root.substr(0, n));
    out.adjusted = true;
  } else {
    out.underlying = std::string(root);
  }
  return out;
}

Result<SymbolDefinition> option_symbol_definition(std::string_view symbol) {
  KEEL_TRY(occ, parse_option_symbol(symbol));
  KEEL_TRY(osi, format_osi(occ));
  const OptionRoot root = option_root(occ.root);
  SymbolDefinition def;
  Instrument& inst = def.instrument;
  inst.symbol = std::move(osi);
  inst.asset_class = AssetClass::kOption;
  OptionSpec spec;
  spec.underlying = root.underlying;
  spec.expiry = occ.expiry;
  spec.strike = occ.strike;
  spec.right = occ.right;
  spec.multiplier = 100;
  spec.exercise = root.exercise;
  spec.settlement = root.settlement;
  inst.option = std::move(spec);
  KEEL_TRY_STATUS(inst.validate());
  Instrument under;
  under.symbol = root.underlying;
  under.asset_class = root.underlying_class;
  KEEL_TRY_STATUS(under.validate());
  def.underlying = std::move(under);
  if (root.adjusted) {
    def.warning = "adjusted option root " + occ.root + " (" + inst.symbol +
                  "): deliverable not in the file, recorded as 100 shares of " + root.underlying;
  }
  return def;
}

SymbolDefiner option_symbol_definer() {
  return [](std::string_view symbol) { return option_symbol_definition(symbol); };
}

BarParserConfig polygon_parser_config(PolygonDataset dataset, std::string path) {
  BarParserConfig cfg;
  cfg.path = std::move(path);
  cfg.mapping = polygon_mapping();
  cfg.timeframe = polygon_timeframe(dataset);
  cfg.define_symbol =
      dataset == PolygonDataset::kOptionsDay ? option_symbol_definer() : plain_symbol_definer(AssetClass::kEquity);
  return cfg;
}

}  // namespace keel::data
