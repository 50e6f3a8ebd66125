#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QString>

namespace rd {

// The same tar as a .tar.gz package, compressed with zstd instead: what goes to the servers that
// have zstd. Unpacking costs a server about two thirds of the CPU of gzip, and a fleet release is
// bound by the servers' CPU. Made once beside the package and kept with it.
struct ZstdPackage
{
    Q_DECLARE_TR_FUNCTIONS(ZstdPackage)

public:
    QString path;
    QString sha256; // hex, of the .tar.zst file

    // The path of the copy for `gzipPackage` ("x.tar.gz" gives "x.tar.zst").
    static QString pathFor(const QString &gzipPackage);
    // Makes the copy unless it is there already; written under a temporary name and renamed.
    static Result<ZstdPackage> ensure(const QString &gzipPackage);
};

} // namespace rd
