// A git tree becoming paths (packages, patches, hook checkouts). The input describes trees with
// names of any bytes, written raw into a repository the way `git hash-object -t tree --literally`
// would; whatever CommitFiles accepts has safe, unique paths, and a checkout stays in its folder.
//
// Input: lines. "#" starts a new tree (the last one is the commit's root). In a tree, each line is
// a kind byte and a name: b blob, x executable, l symlink (to "../../escape"), s submodule, and
// t<digit> a subtree, the n-th tree made before this one.
#include "fuzzsupport.h"

#include "git/commitfiles.h"

#include <QDir>

#include <git2.h>

namespace {

using rd::fuzz::require;

struct Repository
{
    git_repository *repository = nullptr;
    git_oid blob{};
    git_oid link{};
    QString path;

    Repository()
    {
        require(git_libgit2_init() > 0, "libgit2 starts");
        path = rd::fuzz::Environment::get().path(QStringLiteral("repository.git"));
        require(git_repository_init(&repository, QFile::encodeName(path).constData(), 1) == 0, "the repository is made");
        require(git_blob_create_from_buffer(&blob, repository, "content\n", 8) == 0, "a blob is written");
        require(git_blob_create_from_buffer(&link, repository, "../../escape", 12) == 0, "a link is written");
    }

    git_oid write(const QByteArray &content, git_object_t type) const
    {
        git_odb *odb = nullptr;
        require(git_repository_odb(&odb, repository) == 0, "the object database opens");
        git_oid id{};
        const int written = git_odb_write(&id, odb, content.constData(), size_t(content.size()), type);
        git_odb_free(odb);
        require(written == 0, "an object is written");
        return id;
    }
};

QByteArray rawTree(const QList<QByteArray> &lines, const QList<git_oid> &trees, const Repository &repository)
{
    QByteArray tree;
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const char kind = line[0];
        QByteArray name = line.mid(1);
        const git_oid *id = &repository.blob;
        const char *mode = "100644";
        if (kind == 'x') {
            mode = "100755";
        } else if (kind == 'l') {
            mode = "120000";
            id = &repository.link;
        } else if (kind == 's') {
            mode = "160000";
        } else if (kind == 't' && !name.isEmpty() && !trees.isEmpty()) {
            mode = "40000";
            id = &trees[(uchar(name[0]) - '0' + 256) % trees.size()];
            name = name.mid(1);
        }
        tree += QByteArray(mode) + ' ' + name + '\0' +
                QByteArray(reinterpret_cast<const char *>(id->id), GIT_OID_RAWSZ);
    }
    return tree;
}

bool safePath(const QByteArray &path)
{
    if (path.isEmpty() || path.startsWith('/'))
        return false;
    for (const QByteArray &part : path.split('/')) {
        if (part.isEmpty() || part == "." || part == ".." || part.toLower() == ".git")
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const Repository repository;
    QList<git_oid> trees;
    QList<QByteArray> lines;
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const QByteArray &line : input.split('\n')) {
        if (line.startsWith('#')) {
            trees.append(repository.write(rawTree(lines, trees, repository), GIT_OBJECT_TREE));
            lines.clear();
        } else {
            lines.append(line);
        }
    }
    const git_oid root = repository.write(rawTree(lines, trees, repository), GIT_OBJECT_TREE);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &root);
    const QByteArray commit = QByteArrayLiteral("tree ") + hex +
                              "\nauthor F <f@example.com> 1700000000 +0000\ncommitter F <f@example.com> "
                              "1700000000 +0000\n\nfuzz\n";
    const git_oid commitId = repository.write(commit, GIT_OBJECT_COMMIT);
    git_oid_tostr(hex, sizeof hex, &commitId);

    const auto files = rd::CommitFiles::read(repository.repository, QString::fromLatin1(hex));
    if (!files)
        return 0;
    QSet<QByteArray> seen;
    for (const rd::CommitFile &file : files->files()) {
        require(safePath(file.path), "every path stays inside the release");
        require(!seen.contains(file.path), "every path is there once");
        seen.insert(file.path);
    }
    // Checked out into a fresh folder, nothing lands beside it, nor in the current directory (an
    // empty folder of its own: a name Qt took for a resource path once landed there).
    const QString sandbox = rd::fuzz::Environment::get().path(QStringLiteral("sandbox"));
    QDir(sandbox).removeRecursively();
    const QString previous = QDir::currentPath();
    require(QDir().mkpath(sandbox + QStringLiteral("/work")) && QDir().mkpath(sandbox + QStringLiteral("/cwd")) &&
                QDir::setCurrent(sandbox + QStringLiteral("/cwd")),
            "the work folder is made");
    (void)files->checkout(sandbox + QStringLiteral("/work"));
    const auto entries = [](const QString &folder) {
        return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    };
    require(entries(sandbox) == QStringList({QStringLiteral("cwd"), QStringLiteral("work")}) &&
                entries(sandbox + QStringLiteral("/cwd")).isEmpty(),
            "a checkout writes only inside its folder");
    require(QDir::setCurrent(previous), "the current directory is restored");
    require(!QFileInfo::exists(rd::fuzz::Environment::get().path(QStringLiteral("escape"))),
            "nothing is written through a symlink");
    return 0;
}
