#pragma once

#include <locale.h>

namespace rd {

// Makes this thread's character type UTF-8 while it lives. Git paths are bytes, and libarchive
// converts names through the locale: under the C/POSIX locale (cron, systemd units, containers)
// it cannot translate a non-ASCII name. With C.UTF-8 for this thread only, the names pass as the
// bytes git has, whatever the process's locale, and no other thread is touched.
class Utf8LocaleScope
{
public:
    Utf8LocaleScope();
    ~Utf8LocaleScope();
    Utf8LocaleScope(const Utf8LocaleScope &) = delete;
    Utf8LocaleScope &operator=(const Utf8LocaleScope &) = delete;

private:
    locale_t m_utf8 = locale_t(0);
    locale_t m_previous = locale_t(0);
};

} // namespace rd
