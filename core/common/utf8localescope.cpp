#include "utf8localescope.h"

namespace rd {

namespace {

// Made once for the process (newlocale costs ~80 µs, a package has thousands of entries) and never
// freed: threads may hold it until they end.
locale_t utf8Locale()
{
    static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
    return utf8;
}

} // namespace

Utf8LocaleScope::Utf8LocaleScope() : m_utf8(utf8Locale())
{
    // Without C.UTF-8 (glibc has had it built in since 2.35) the thread keeps its locale.
    if (m_utf8)
        m_previous = uselocale(m_utf8);
}

Utf8LocaleScope::~Utf8LocaleScope()
{
    if (m_utf8)
        uselocale(m_previous);
}

} // namespace rd
