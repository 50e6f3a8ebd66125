// The JSON inventory importer, without a vault: a file with sealed secrets is refused, never opened.
#include "fuzzsupport.h"

#include "inventory/jsoninventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto &store = rd::fuzz::Environment::get().store();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto report = rd::JsonInventory::importJson(store, nullptr, bytes, QByteArrayLiteral("export-password"));
    rd::fuzz::require(report || !report.error().message.isEmpty(), "an import error says what went wrong");
    return 0;
}
