// Release version ids name folders on the servers: what parses prints back the same, and every id
// the program makes parses back to itself.
#include "fuzzsupport.h"

#include "release/versionid.h"


extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd::fuzz::Environment::get();
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto parsed = rd::VersionId::parse(text)) {
        rd::fuzz::require(parsed->toString() == text, "a parsed id prints back the same");
        rd::fuzz::require(parsed->number >= 1, "an id counts from 1");
    }
    const int next = rd::VersionId::nextNumber(text.split(u'\n'), QStringLiteral("shop"));
    rd::fuzz::require(next >= 1, "the next number counts from 1");
    const auto made = rd::VersionId::make(QStringLiteral("shop"), next,
                                          QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC));
    const auto back = rd::VersionId::parse(made.toString());
    rd::fuzz::require(back && back->number == next && back->project == u"shop", "a made id parses back");
    return 0;
}
