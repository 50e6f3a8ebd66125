#pragma once

#include "common/error.h"
#include "packagestore.h"
#include "packagewriter.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

struct git_repository;

namespace rd {

class GitRefs;

struct PatchRequest
{
    QString project;
    QString baseRef;   // what the servers run now
    QString targetRef; // what they should run
    QString version;
    QStringList excludes;
    int compressionLevel = PackageWriter::Options().compressionLevel;
};

struct PatchBuild
{
    StoredPackage package;
    bool cached = false;
    QStringList warnings;
};

// A patch package brings a tree at `base` to `target`: the archive holds the files added or changed
// (content, mode or type; symlinks as symlinks) and the directories above them; the manifest lists
// what to delete first. Renames, found by libgit2's rename detection, travel as a deletion of the old
// path plus the new file. export-ignore and the excludes apply as for a full package, so applying the
// patch to an unpacked full package of `base` gives exactly the full package of `target`.
// Packages the trees only: a project whose after-download hook builds files needs full packages.
class PatchPackage
{
    Q_DECLARE_TR_FUNCTIONS(PatchPackage)

public:
    static QString cacheKey(const QString &project, const QString &baseId, const QString &targetId,
                            const QStringList &excludes);

    static Result<PatchBuild> build(const GitRefs &refs, PackageStore &store, const PatchRequest &request);

    // The patch between two full commit ids, written to `fd` (no store).
    static Result<PackageWriter::Summary> write(git_repository *repository, const QString &baseId,
                                                const QString &targetId, const QStringList &excludes, int fd,
                                                const QString &where, PackageManifest manifest, int compressionLevel,
                                                QStringList *warnings);
};

} // namespace rd
