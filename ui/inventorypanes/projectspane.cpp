#include "projectspane.h"
#include "inventory/inventorystore.h"
#include "inventory/validator.h"
#include "inventorypanes/projecttablemodel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

namespace rd {

ProjectsPane::ProjectsPane(InventoryStore &store, QWidget *parent)
    : InventoryPane(store, tr("Projects"),
                    tr("Git repositories that ReleaseDesk packages and ships, and how many releases to keep."),
                    parent),
      m_projects(new ProjectTableModel(this))
{
    setObjectName(QStringLiteral("projectsPane"));
    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_gitUrl = new QLineEdit;
    m_gitUrl->setObjectName(QStringLiteral("gitUrlEdit"));
    m_gitUrl->setPlaceholderText(tr("https://git.example.com/team/shop.git"));
    m_allowUnauthenticated = new QCheckBox(tr("Allow fetching without authenticating the server"));
    m_allowUnauthenticated->setToolTip(tr("http:// and git:// do not authenticate the server: anyone on the "
                                          "network path could change the code that gets deployed."));
    m_allowUnauthenticated->setObjectName(QStringLiteral("allowUnauthenticatedCheckBox"));
    m_branch = new QLineEdit;
    m_branch->setObjectName(QStringLiteral("defaultBranchEdit"));
    m_keep = new QSpinBox;
    m_keep->setObjectName(QStringLiteral("keepReleasesSpinBox"));
    m_keep->setRange(1, 1000);
    m_keep->setMaximumWidth(100);
    m_excludes = new QPlainTextEdit;
    m_excludes->setObjectName(QStringLiteral("packageExcludesEdit"));
    m_excludes->setPlaceholderText(tr("One pattern per line, e.g.\nnode_modules\n*.log"));

    QFormLayout *form = createForm();
    addField(form, tr("Name"), m_name, QStringLiteral("name"));
    addField(form, tr("Git URL"), m_gitUrl, QStringLiteral("gitUrl"));
    form->addRow(QString(), m_allowUnauthenticated);
    // Only an http:// or git:// URL asks for the consent.
    const auto showConsent = [this, form] {
        form->setRowVisible(m_allowUnauthenticated,
                            Validator::isUnauthenticated(m_gitUrl->text()) || m_allowUnauthenticated->isChecked());
    };
    connect(m_gitUrl, &QLineEdit::textChanged, this, showConsent);
    connect(m_allowUnauthenticated, &QCheckBox::toggled, this, showConsent);
    showConsent();
    addField(form, tr("Default branch"), m_branch, QStringLiteral("defaultBranch"));
    addField(form, tr("Keep releases"), m_keep, QStringLiteral("keepReleases"));
    addField(form, tr("Package excludes"), m_excludes, QStringLiteral("packageExcludes"));
    setupStandardLayout(m_projects, form, tr("Filter by name, URL or branch"));

    for (QLineEdit *edit : {m_name, m_gitUrl, m_branch})
        connect(edit, &QLineEdit::textChanged, this, &ProjectsPane::markEdited);
    connect(m_keep, &QSpinBox::valueChanged, this, &ProjectsPane::markEdited);
    connect(m_allowUnauthenticated, &QCheckBox::toggled, this, &ProjectsPane::markEdited);
    connect(m_excludes, &QPlainTextEdit::textChanged, this, &ProjectsPane::markEdited);
}

void ProjectsPane::reload()
{
    auto projects = m_store.projects();
    if (!projects) {
        showStoreError(projects.error());
        return;
    }
    m_projects->setProjects(*projects);
    setItemCountText(tr("%n project(s)", nullptr, itemCount()));
    afterReload();
}

int ProjectsPane::itemCount() const
{
    return m_projects->rowCount();
}

Project ProjectsPane::formProject() const
{
    Project project;
    project.id = m_currentId;
    project.name = m_name->text().trimmed();
    project.gitUrl = m_gitUrl->text().trimmed();
    project.allowUnauthenticated = m_allowUnauthenticated->isChecked();
    project.defaultBranch = m_branch->text().trimmed();
    project.keepReleases = m_keep->value();
    for (const QString &line : m_excludes->toPlainText().split(u'\n', Qt::SkipEmptyParts)) {
        if (!line.trimmed().isEmpty())
            project.packageExcludes.append(line.trimmed());
    }
    return project;
}

QList<Error> ProjectsPane::validateForm() const
{
    return Validator::check(formProject());
}

void ProjectsPane::loadForm(qint64 id)
{
    Project project;
    if (id) {
        auto stored = m_store.project(id);
        if (!stored) {
            showStoreError(stored.error());
            return;
        }
        project = *stored;
    }
    m_name->setText(project.name);
    m_gitUrl->setText(project.gitUrl);
    m_allowUnauthenticated->setChecked(project.allowUnauthenticated);
    m_branch->setText(project.defaultBranch);
    m_keep->setValue(project.keepReleases);
    m_excludes->setPlainText(project.packageExcludes.join(u'\n'));
}

Result<qint64> ProjectsPane::saveForm(qint64 id)
{
    const Project project = formProject();
    if (id == 0)
        return m_store.addProject(project);
    if (auto updated = m_store.updateProject(project); !updated)
        return std::unexpected(updated.error());
    return id;
}

Result<> ProjectsPane::removeItem(qint64 id)
{
    return m_store.removeProject(id);
}

} // namespace rd
