#pragma once

#include "common/error.h"
#include "packagestore.h"
#include "packagewriter.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

struct git_repository;

namespace rd {

class CommitFiles;
class GitRefs;

struct PackageRequest
{
    QString project;
    QString ref; // branch, tag, short or full id; resolved in the mirror
    QString version;
    QString environment; // for the hook's RD_ENV
    QStringList excludes; // the project's packageExcludes
    // The after-download hook: when set, the commit is checked out into a work directory, the hook
    // runs there and the package is made from what the directory holds afterwards.
    QString hookScript;
    int hookTimeoutMs = 30 * 60 * 1000;
    std::function<void(const QString &line, bool isError)> onHookLine;
    const std::atomic_bool *cancel = nullptr;
    int compressionLevel = PackageWriter::Options().compressionLevel;
};

struct PackageBuild
{
    StoredPackage package;
    bool cached = false; // found in the store; nothing was built
    QStringList warnings;
};

// Stage 05: a release package from a commit of the project's mirror, through the package store.
// Reads only the local mirror: there is no network in this path, so it works offline as long as
// the mirror has the commit. Blocks (and runs the hook on this thread): use from a worker thread.
class PackageBuilder
{
    Q_DECLARE_TR_FUNCTIONS(PackageBuilder)

public:
    // `workRoot` holds the hook's work directories (<data>/work), removed after each build.
    PackageBuilder(const GitRefs &refs, PackageStore &store, QString workRoot);

    Result<PackageBuild> build(const PackageRequest &request) const;

    // The store key: one package per project, commit, hook script and excludes.
    static QString cacheKey(const QString &project, const QString &commitId, const QString &hookScript,
                            const QStringList &excludes);
    static QString hookDigest(const QString &hookScript);

    // The tree of `files` as a package, written to `fd`; no store, no hook (used by build and benchmarks).
    static Result<PackageWriter::Summary> writeTree(git_repository *repository, const CommitFiles &files, int fd,
                                                    const QString &where, const PackageManifest &manifest,
                                                    int compressionLevel);
    // Everything under `directory` (no symlinks followed) minus what `files` says to ignore and .git.
    static Result<PackageWriter::Summary> writeDirectory(const QString &directory, const CommitFiles &files, int fd,
                                                         const QString &where, const PackageManifest &manifest,
                                                         int compressionLevel, QStringList *warnings);

private:
    const GitRefs &m_refs;
    PackageStore &m_store;
    QString m_workRoot;
};

} // namespace rd
