// Command gatekeeper-crds prints the constraint CRD that Gatekeeper's ConstraintTemplate
// controller would create for each ConstraintTemplate read from standard input (YAML
// documents), using Gatekeeper's own code: the constraint framework's CreateCRD with
// Gatekeeper's Kubernetes validation target (its match schema). The conformance run applies
// these CRDs to kube-apiserver so that constraints are validated as on a real cluster.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/open-policy-agent/frameworks/constraint/pkg/apis"
	"github.com/open-policy-agent/frameworks/constraint/pkg/apis/templates/v1"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client"
	"github.com/open-policy-agent/frameworks/constraint/pkg/client/drivers/rego"
	"github.com/open-policy-agent/frameworks/constraint/pkg/core/templates"
	"github.com/open-policy-agent/gatekeeper/v3/pkg/target"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gatekeeper-crds:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	scheme := runtime.NewScheme()
	if err := apis.AddToScheme(scheme); err != nil {
		return err
	}
	if err := apiextensions.AddToScheme(scheme); err != nil {
		return err
	}
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		return err
	}
	driver, err := rego.New()
	if err != nil {
		return err
	}
	cf, err := client.NewClient(client.Targets(&target.K8sValidationTarget{}), client.Driver(driver))
	if err != nil {
		return err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	first := true
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		versioned := &v1.ConstraintTemplate{}
		if err := yaml.UnmarshalStrict(doc, versioned); err != nil {
			return fmt.Errorf("not a ConstraintTemplate (templates.gatekeeper.sh/v1): %w", err)
		}
		if versioned.Kind == "" {
			continue
		}
		// As the controller does: the versioned template converted to the unversioned one.
		unversioned := &templates.ConstraintTemplate{}
		if err := scheme.Convert(versioned, unversioned, nil); err != nil {
			return fmt.Errorf("%s: %w", versioned.Name, err)
		}
		crd, err := cf.CreateCRD(context.Background(), unversioned)
		if err != nil {
			return fmt.Errorf("%s: %w", versioned.Name, err)
		}
		crdV1 := &apiextensionsv1.CustomResourceDefinition{}
		if err := scheme.Convert(crd, crdV1, nil); err != nil {
			return fmt.Errorf("%s: %w", versioned.Name, err)
		}
		crdV1.APIVersion = "apiextensions.k8s.io/v1"
		crdV1.Kind = "CustomResourceDefinition"
		// The label Gatekeeper's controller puts on every constraint CRD it owns.
		if crdV1.Labels == nil {
			crdV1.Labels = map[string]string{}
		}
		crdV1.Labels["gatekeeper.sh/constraint"] = "yes"
		b, err := yaml.Marshal(crdV1)
		if err != nil {
			return err
		}
		if !first {
			fmt.Fprintln(out, "---")
		}
		first = false
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
}
