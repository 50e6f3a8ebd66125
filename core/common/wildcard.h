#pragma once

#include <QStringView>

namespace rd {

// OpenSSH's host patterns (ssh_config Host lines, known_hosts): '*' any run, '?' one character,
// without regard to case; everything else is literal.
class Wildcard
{
public:
    // Greedy with one backtrack point (the last '*'): time bounded by pattern × text, never
    // exponential, and no recursion however long the pattern.
    static bool matches(QStringView pattern, QStringView text);
};

} // namespace rd
