#include "projecttablemodel.h"

namespace rd {

void ProjectTableModel::setProjects(const QList<Project> &projects)
{
    beginResetModel();
    m_projects = projects;
    endResetModel();
}

int ProjectTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_projects.size());
}

int ProjectTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 4;
}

QVariant ProjectTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const Project &project = m_projects.at(index.row());
    switch (index.column()) {
    case 0:
        return project.name;
    case 1:
        return project.gitUrl;
    case 2:
        return project.defaultBranch;
    case 3:
        return project.keepReleases;
    }
    return {};
}

QVariant ProjectTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case 0:
        return tr("Name");
    case 1:
        return tr("Git URL");
    case 2:
        return tr("Default branch");
    case 3:
        return tr("Keep releases");
    }
    return {};
}

} // namespace rd
