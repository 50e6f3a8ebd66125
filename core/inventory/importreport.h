#pragma once

#include <QStringList>

namespace rd {

// What an import did: counts of entries added, updated and skipped, and one line per skipped
// entry saying what and why.
struct ImportReport
{
    int added = 0;
    int updated = 0;
    int skipped = 0;
    QStringList warnings;
};

} // namespace rd
