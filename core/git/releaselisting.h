#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QStringList>

struct git_repository;

namespace rd {

// What a release unpacked on a server holds, in a form the server lists cheaply itself (sizes, not
// contents): one record per path, NUL-terminated and sorted by bytes, the SHA-256 of them all.
//     d\t<path>                 a folder
//     f\t<size>\t<path>         a file (x instead of f when its owner may execute it)
//     l\t<target>\t<path>       a symlink
// The shared paths are the links a release makes there, with the folders above them; the manifest
// (.releasedesk.json) is left out. A server whose live release lists to the digest its commit gives
// here still has that release as it was unpacked, so a delta can be made from it.
class ReleaseListing
{
    Q_DECLARE_TR_FUNCTIONS(ReleaseListing)

public:
    // The digest (hex) of the release of `commitId` (a full id) with these excludes and shared paths.
    static Result<QString> digest(git_repository *repository, const QString &commitId, const QStringList &excludes,
                                  const QStringList &sharedPaths);
    // A shell script printing the digest of the release directory "$1" as sha256sum prints it.
    static QString serverScript();
};

} // namespace rd
