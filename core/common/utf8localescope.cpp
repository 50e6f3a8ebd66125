#include "utf8localescope.h"

namespace rd {

Utf8LocaleScope::Utf8LocaleScope() : m_utf8(newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0)))
{
    // Without C.UTF-8 (glibc has had it built in since 2.35) the thread keeps its locale.
    if (m_utf8)
        m_previous = uselocale(m_utf8);
}

Utf8LocaleScope::~Utf8LocaleScope()
{
    if (!m_utf8)
        return;
    uselocale(m_previous);
    freelocale(m_utf8);
}

} // namespace rd
