#include "releaselisting.h"

#include "commitfiles.h"
#include "common/sha256.h"
#include "githandles.h"
#include "sharedpaths.h"

#include <QSet>

#include <algorithm>

namespace rd {

namespace {

QByteArray record(char type, const QByteArray &field, const QByteArray &path)
{
    QByteArray line(1, type);
    line += '\t';
    if (type != 'd')
        line += field + '\t';
    return line + path;
}

} // namespace

Result<QString> ReleaseListing::digest(git_repository *repository, const QString &commitId, const QStringList &excludes,
                                       const QStringList &sharedPaths)
{
    auto files = CommitFiles::read(repository, commitId, excludes);
    if (!files)
        return std::unexpected(files.error());
    git_odb *rawOdb = nullptr;
    if (git_repository_odb(&rawOdb, repository) != 0)
        return std::unexpected(gitError(tr("Could not open the object database")));
    const GitOdb odb(rawOdb);
    const SharedPaths shared(sharedPaths);

    QList<QByteArray> records;
    QSet<QByteArray> folders;
    for (const CommitFile &file : files->files()) {
        if (shared.covers(file.path))
            continue;
        if (file.isDirectory()) {
            folders.insert(file.path);
            records.append(record('d', {}, file.path));
            continue;
        }
        size_t size = 0;
        git_object_t type = GIT_OBJECT_BLOB;
        if (git_odb_read_header(&size, &type, odb.get(), &file.id) != 0)
            return std::unexpected(gitError(tr("Could not read %1 from the mirror").arg(QString::fromUtf8(file.path))));
        if (file.isSymlink()) {
            git_blob *rawBlob = nullptr;
            if (git_blob_lookup(&rawBlob, repository, &file.id) != 0)
                return std::unexpected(gitError(tr("Could not read %1 from the mirror").arg(QString::fromUtf8(file.path))));
            const GitBlob blob(rawBlob);
            records.append(record('l', QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                                  qsizetype(git_blob_rawsize(blob.get()))),
                                  file.path));
            continue;
        }
        records.append(record(file.isExecutable() ? 'x' : 'f', QByteArray::number(qulonglong(size)), file.path));
    }
    for (const QByteArray &path : shared.paths()) {
        for (qsizetype slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            const QByteArray folder = path.left(slash);
            if (!folders.contains(folder)) {
                folders.insert(folder);
                records.append(record('d', {}, folder));
            }
        }
        records.append(record('l', SharedPaths::climbToRoot(path) + "/shared/" + path, path));
    }
    std::sort(records.begin(), records.end()); // by bytes, as LC_ALL=C sort -z
    Sha256 hash;
    for (const QByteArray &line : std::as_const(records)) {
        hash.addData(line);
        hash.addData(QByteArrayView("\0", 1));
    }
    return QString::fromLatin1(hash.result().toHex());
}

QString ReleaseListing::serverScript()
{
    // GNU find prints the records itself (its -printf reads \t and \0), one program per step.
    return QStringLiteral(
        "cd \"$1\" && find . -mindepth 1 ! -path ./.releasedesk.json \\( "
        "\\( -type d -printf 'd\\t%P\\0' \\) -o \\( -type l -printf 'l\\t%l\\t%P\\0' \\) -o "
        "\\( -type f -perm -u+x -printf 'x\\t%s\\t%P\\0' \\) -o \\( -type f -printf 'f\\t%s\\t%P\\0' \\) -o "
        "-printf '?\\t%P\\0' \\) | LC_ALL=C sort -z | sha256sum");
}

} // namespace rd
