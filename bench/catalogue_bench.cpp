// In-process cost of the features job, stage by stage, so a regression in the
// whole-process figure (bench/features_speed.sh) can be traced to its stage.
#include <benchmark/benchmark.h>

#include "reflect/availability.hpp"
#include "reflect/catalogue.hpp"
#include "render/formats.hpp"

namespace {

using namespace sslfeatures;

void BM_BuildDefaultCatalogue(benchmark::State& state) {
    const auto ids = reflect::default_category_ids();
    for (auto _ : state) benchmark::DoNotOptimize(reflect::build_catalogue(ids));
}
BENCHMARK(BM_BuildDefaultCatalogue);

void BM_BuildFullCatalogue(benchmark::State& state) {
    const auto ids = reflect::all_category_ids();
    for (auto _ : state) benchmark::DoNotOptimize(reflect::build_catalogue(ids));
}
BENCHMARK(BM_BuildFullCatalogue);

void BM_FeatureProbes(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(reflect::feature_availability());
}
BENCHMARK(BM_FeatureProbes);

void BM_Render(benchmark::State& state, render::Format format, bool all) {
    const auto catalogue = reflect::build_catalogue(all ? reflect::all_category_ids()
                                                        : reflect::default_category_ids());
    for (auto _ : state) benchmark::DoNotOptimize(render::render_catalogue(catalogue, format));
}
BENCHMARK_CAPTURE(BM_Render, text_default, render::Format::text, false);
BENCHMARK_CAPTURE(BM_Render, json_all, render::Format::json, true);
BENCHMARK_CAPTURE(BM_Render, csv_all, render::Format::csv, true);

}  // namespace

BENCHMARK_MAIN();
