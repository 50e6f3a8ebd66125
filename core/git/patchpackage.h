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
    QStringList sharedPaths; // nothing at or below them is shipped or deleted (SharedPaths)
    int compressionLevel = PackageWriter::Options().compressionLevel;
};

struct PatchBuild
{
    StoredPackage package;
    bool cached = false;
    QStringList warnings;
};

// A patch package brings a release of `base` to `target`. It is the difference of the two full
// packages' listings (CommitFiles, so export-ignore and the excludes apply alike): every path whose
// type differs or that `target` lacks is deleted (only the topmost of a deleted folder is named);
// every file or symlink that is new or differs in content or mode is in the archive, with every
// folder above it, so tar replaces it (a new inode: the live release, whose files the new one
// hard-links, is never written). Nothing at or below a shared path is touched (SharedPaths), with a
// warning naming what the server's copy keeps. Packages the trees only: a project whose
// after-download hook builds files needs full packages.
class PatchPackage
{
    Q_DECLARE_TR_FUNCTIONS(PatchPackage)

public:
    static QString cacheKey(const QString &project, const QString &baseId, const QString &targetId,
                            const QStringList &excludes, const QStringList &sharedPaths);

    static Result<PatchBuild> build(const GitRefs &refs, PackageStore &store, const PatchRequest &request);

    // The patch between two full commit ids, written to `fd` (no store).
    static Result<PackageWriter::Summary> write(git_repository *repository, const QString &baseId,
                                                const QString &targetId, const QStringList &excludes,
                                                const QStringList &sharedPaths, int fd,
                                                const QString &where, PackageManifest manifest, int compressionLevel,
                                                QStringList *warnings);
};

} // namespace rd
