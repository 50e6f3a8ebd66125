#pragma once

#include "inventorypanes/entitytablemodel.h"
#include "inventory/project.h"

namespace rd {

class ProjectTableModel : public EntityTableModel
{
    Q_OBJECT

public:
    using EntityTableModel::EntityTableModel;

    void setProjects(const QList<Project> &projects);
    const Project &projectAt(int row) const { return m_projects.at(row); }
    qint64 idAt(int row) const override { return m_projects.at(row).id; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Project> m_projects;
};

} // namespace rd
